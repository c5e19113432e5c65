//! Household Lists API: the user's shopping and to-do lists (and custom ones).

use reqwest::Method;

use crate::client::{AlexaApi, segment};
use crate::error::ApiError;
use crate::scope::Scope;

string_enum! {
    /// A list's `state`.
    pub enum ListState {
        /// In use.
        Active = "active",
        /// Archived.
        Archived = "archived",
    }
}

string_enum! {
    /// An item's `status` (and the status part of `GET /v2/householdlists/{id}/{status}`).
    pub enum ListItemStatus {
        /// Still to do.
        Active = "active",
        /// Done.
        Completed = "completed",
    }
}

model! {
    /// `statusMap` entry of a list's metadata.
    pub struct ListStatusLink {
        /// The URL of the items with this status.
        pub url: String,
        /// The status.
        pub status: ListItemStatus,
    }
}

model! {
    /// One list's metadata (`list_management.AlexaListMetadata`).
    pub struct ListMetadata {
        /// The list id.
        pub list_id: String,
        /// `Alexa shopping list`, `Alexa to-do list`, or a custom name.
        pub name: String,
        /// State.
        pub state: ListState,
        /// Version.
        pub version: i64,
        /// Links per status.
        pub status_map: Vec<ListStatusLink>,
    }
}

model! {
    /// `GET /v2/householdlists` (`list_management.AlexaListsMetadata`).
    pub struct ListsMetadata {
        /// The lists.
        pub lists: Vec<ListMetadata>,
    }
}

impl ListsMetadata {
    /// The list with this name (`Alexa shopping list`).
    pub fn named(&self, name: &str) -> Option<&ListMetadata> {
        self.lists
            .iter()
            .flatten()
            .find(|l| l.name.as_deref() == Some(name))
    }
}

/// The name of the built-in shopping list.
pub const SHOPPING_LIST: &str = "Alexa shopping list";
/// The name of the built-in to-do list.
pub const TODO_LIST: &str = "Alexa to-do list";

model! {
    /// One item (`list_management.AlexaListItem`).
    pub struct ListItem {
        /// The item id.
        pub id: String,
        /// Version (send it back on update).
        pub version: i64,
        /// The text.
        pub value: String,
        /// Status.
        pub status: ListItemStatus,
        /// Created.
        pub created_time: String,
        /// Last updated.
        pub updated_time: String,
        /// Its URL path.
        pub href: String,
    }
}

model! {
    /// `links` of a list.
    pub struct ListLinks {
        /// The next page.
        pub next: String,
    }
}

model! {
    /// A list with its items (`list_management.AlexaList`).
    pub struct AlexaList {
        /// The list id.
        pub list_id: String,
        /// Name.
        pub name: String,
        /// State.
        pub state: ListState,
        /// Version.
        pub version: i64,
        /// Items.
        pub items: Vec<ListItem>,
        /// Paging.
        pub links: ListLinks,
    }
}

model! {
    /// Create an item (`list_management.CreateListItemRequest`).
    pub struct CreateListItem {
        /// The text.
        pub value: String,
        /// Status.
        pub status: ListItemStatus,
    }
}

model! {
    /// Update an item (`list_management.UpdateListItemRequest`).
    pub struct UpdateListItem {
        /// The text.
        pub value: String,
        /// Status.
        pub status: ListItemStatus,
        /// The version read (a stale one gets 409).
        pub version: i64,
    }
}

const PATH: &str = "/v2/householdlists";

impl AlexaApi {
    /// The user's lists. Needs [`Scope::LISTS_READ`].
    pub async fn lists(&self) -> Result<ListsMetadata, ApiError> {
        self.get(PATH, Some(Scope::LISTS_READ)).await
    }

    /// A list with its items of one status.
    pub async fn list(&self, list_id: &str, status: ListItemStatus) -> Result<AlexaList, ApiError> {
        let path = format!("{PATH}/{}/{}", segment(list_id), segment(status.as_str()));
        self.get(&path, Some(Scope::LISTS_READ)).await
    }

    /// One item.
    pub async fn list_item(&self, list_id: &str, item_id: &str) -> Result<ListItem, ApiError> {
        let path = format!("{PATH}/{}/items/{}", segment(list_id), segment(item_id));
        self.get(&path, Some(Scope::LISTS_READ)).await
    }

    /// Adds an active item. Needs [`Scope::LISTS_WRITE`].
    pub async fn create_list_item(&self, list_id: &str, value: &str) -> Result<ListItem, ApiError> {
        let body = CreateListItem {
            value: Some(value.to_owned()),
            status: Some(ListItemStatus::Active),
            ..CreateListItem::default()
        };
        let path = format!("{PATH}/{}/items", segment(list_id));
        self.send_json(Method::POST, &path, Some(Scope::LISTS_WRITE), &body)
            .await
    }

    /// Changes an item (text, status); `409` ([`ApiError::Conflict`]) if `version` is stale.
    pub async fn update_list_item(
        &self,
        list_id: &str,
        item_id: &str,
        update: &UpdateListItem,
    ) -> Result<ListItem, ApiError> {
        let path = format!("{PATH}/{}/items/{}", segment(list_id), segment(item_id));
        self.send_json(Method::PUT, &path, Some(Scope::LISTS_WRITE), update)
            .await
    }

    /// Deletes an item.
    pub async fn delete_list_item(&self, list_id: &str, item_id: &str) -> Result<(), ApiError> {
        let path = format!("{PATH}/{}/items/{}", segment(list_id), segment(item_id));
        self.send_unit(Method::DELETE, &path, Some(Scope::LISTS_WRITE), None)
            .await
    }
}
