//! The bounded memory of the requests pane: the last N entries, each with a sequence number
//! (the SSE event id a reconnecting browser sends back in `Last-Event-ID`).

use std::collections::VecDeque;

/// The last `capacity` items, numbered from 1 in arrival order.
#[derive(Debug)]
pub struct Ring<T> {
    items: VecDeque<(u64, T)>,
    capacity: usize,
    next: u64,
}

impl<T: Clone> Ring<T> {
    /// An empty ring keeping at most `capacity` items (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            items: VecDeque::with_capacity(capacity),
            capacity,
            next: 1,
        }
    }

    /// The number the next pushed item gets.
    pub fn next_seq(&self) -> u64 {
        self.next
    }

    /// Adds `item` under the next number (dropping the oldest when full); returns its number.
    pub fn push(&mut self, item: T) -> u64 {
        let seq = self.next;
        self.next += 1;
        if self.items.len() == self.capacity {
            self.items.pop_front();
        }
        self.items.push_back((seq, item));
        seq
    }

    /// The item numbered `seq`, if still kept.
    pub fn get(&self, seq: u64) -> Option<T> {
        let first = self.items.front()?.0;
        let index = usize::try_from(seq.checked_sub(first)?).ok()?;
        self.items.get(index).map(|(_, item)| item.clone())
    }

    /// Every kept item numbered after `seq`, oldest first.
    pub fn after(&self, seq: u64) -> Vec<(u64, T)> {
        self.items
            .iter()
            .filter(|(s, _)| *s > seq)
            .cloned()
            .collect()
    }

    /// How many items are kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::Ring;

    #[test]
    fn keeps_only_the_last_n() {
        let mut ring = Ring::new(3);
        for i in 0..10 {
            ring.push(i);
        }
        assert_eq!(ring.len(), 3);
        assert_eq!(ring.get(7), None);
        assert_eq!(ring.get(8), Some(7));
        assert_eq!(ring.get(10), Some(9));
        assert_eq!(ring.get(11), None);
        assert_eq!(ring.after(8), vec![(9, 8), (10, 9)]);
        assert_eq!(ring.after(0).len(), 3);
        assert_eq!(ring.next_seq(), 11);
    }

    #[test]
    fn a_zero_capacity_keeps_one() {
        let mut ring = Ring::new(0);
        ring.push("a");
        ring.push("b");
        assert_eq!(ring.after(0), vec![(2, "b")]);
        assert!(!ring.is_empty());
    }
}
