//! Macros for the two shapes that recur all over Alexa's JSON: string enumerations that must
//! accept values this version does not know, and objects tagged by a `"type"` field.

use std::borrow::Cow;

/// Defines a string enumeration with an `Other(String)` catch-all, so an undocumented or new
/// value never fails a parse and re-serializes unchanged.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the model does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// The value as it appears in Alexa's JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(other) => other.as_str(),
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match text.as_str() {
                    $( $text => Self::$variant, )*
                    _ => Self::Other(text),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(text))
            }
        }

        exact_is_deserialize!($name);
    };
}

/// Defines an enumeration of objects tagged by their `"type"` field, with one typed variant
/// per known tag and a raw-JSON variant for everything else (and for a known tag whose body
/// has a shape the typed struct cannot hold).
macro_rules! type_tagged {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(#[$rmeta:meta])*
            raw $raw:ident,
            $( $(#[$vmeta:meta])* $tag:literal => $variant:ident($ty:ty), )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($ty), )*
            $(#[$rmeta])*
            $raw(::serde_json::Value),
        }

        impl $name {
            /// The `"type"` tag of this object, if it has one.
            pub fn type_name(&self) -> Option<&str> {
                match self {
                    $( Self::$variant(_) => Some($tag), )*
                    Self::$raw(value) => value.get("type").and_then(::serde_json::Value::as_str),
                }
            }
        }

        $(
            impl From<$ty> for $name {
                fn from(inner: $ty) -> Self {
                    Self::$variant(inner)
                }
            }
        )*

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(inner) => $crate::macros::Tagged { kind: $tag, inner }.serialize(serializer), )*
                    Self::$raw(value) => value.serialize(serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get("type").and_then(::serde_json::Value::as_str).map(str::to_owned);
                Ok(match tag.as_deref() {
                    $( Some($tag) => match $crate::macros::untag(value) {
                        Ok(body) => $crate::macros::typed(body, Self::$variant, $tag, Self::$raw),
                        Err(value) => Self::$raw(value),
                    }, )*
                    _ => Self::$raw(value),
                })
            }
        }
    };
}

/// Serializes `inner` (a struct) with a leading `"type": kind` entry.
#[derive(serde::Serialize)]
pub(crate) struct Tagged<'a, T: serde::Serialize> {
    #[serde(rename = "type")]
    pub(crate) kind: &'a str,
    #[serde(flatten)]
    pub(crate) inner: &'a T,
}

/// Removes the `"type"` entry of an object. Returns the value unchanged if it is not an object.
pub(crate) fn untag(
    value: serde_json::Value,
) -> Result<serde_json::Map<String, serde_json::Value>, serde_json::Value> {
    match value {
        serde_json::Value::Object(mut map) => {
            map.remove("type");
            Ok(map)
        }
        other => Err(other),
    }
}

/// Deserializes an untagged object body into `T` and wraps it; if the body does not fit,
/// re-inserts the tag and keeps the raw JSON.
pub(crate) fn typed<T, E>(
    body: serde_json::Map<String, serde_json::Value>,
    wrap: impl FnOnce(T) -> E,
    tag: &str,
    raw: impl FnOnce(serde_json::Value) -> E,
) -> E
where
    T: serde::de::DeserializeOwned,
{
    let value = serde_json::Value::Object(body);
    match T::deserialize(&value) {
        Ok(inner) => wrap(inner),
        Err(_) => {
            let mut value = value;
            if let serde_json::Value::Object(map) = &mut value {
                map.insert("type".to_owned(), serde_json::Value::String(tag.to_owned()));
            }
            raw(value)
        }
    }
}

/// The members of one JSON object, each value kept as its raw JSON text (in order, duplicates
/// included). The request-side structs read their fields from it straight from the body
/// bytes, without first building a `serde_json::Value` tree of the object and cloning it
/// for every field: a value is parsed into its field's type directly from its text, and only
/// the members a struct does not know (or that do not fit) become `Value`s, in `extra`.
pub(crate) struct RawObject<'de>(pub(crate) Vec<Member<'de>>);

/// One member of a [`RawObject`]: its key (borrowed from the input when it holds no escape)
/// and its value as raw JSON text.
pub(crate) type Member<'de> = (Cow<'de, str>, Box<serde_json::value::RawValue>);

/// A member key, borrowed from the input when the deserializer can lend it (a body parsed
/// with `serde_json::from_slice`/`from_str`, keys without escapes), owned otherwise.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> serde::de::Visitor<'de> for Text {
            type Value = Cow<'de, str>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string key")
            }

            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        deserializer.deserialize_str(Text).map(Key)
    }
}

impl<'de> serde::Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = RawObject<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawObject<'de>, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some((Key(key), value)) =
                    map.next_entry::<Key<'de>, Box<serde_json::value::RawValue>>()?
                {
                    members.push((key, value));
                }
                Ok(RawObject(members))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// The raw value of the last member named `key` (JSON objects keep the last duplicate, as
/// `serde_json::Map` does).
pub(crate) fn member<'a>(
    members: &'a [Member<'_>],
    key: &str,
) -> Option<&'a serde_json::value::RawValue> {
    members
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, raw)| raw.as_ref())
}

/// Reads the member `key` as a `T` from its raw text and records it as taken. If it is absent
/// or does not fit `T` (a `null`, a number where a string belongs, an array where an object
/// belongs), it is not taken (so it stays in `extra`, as sent) and `None` is returned.
pub(crate) fn take_member<T: serde::de::DeserializeOwned>(
    members: &[Member<'_>],
    key: &'static str,
    taken: &mut Vec<&'static str>,
) -> Option<T> {
    let raw = member(members, key)?;
    let typed = serde_json::from_str::<T>(raw.get()).ok()?;
    taken.push(key);
    Some(typed)
}

/// The members not taken (and not `skip`), parsed as `Value`s: a struct's `extra`.
pub(crate) fn rest(
    members: &[Member<'_>],
    taken: &[&str],
    skip: Option<&str>,
) -> Result<serde_json::Map<String, serde_json::Value>, serde_json::Error> {
    let mut map = serde_json::Map::new();
    for (key, raw) in members {
        if taken.contains(&key.as_ref()) || skip == Some(key.as_ref()) {
            continue;
        }
        let StrictValue(value) = serde_json::from_str(raw.get())?;
        map.insert(key.to_string(), value);
    }
    Ok(map)
}

/// A JSON value read with duplicate object keys refused at every depth. `serde_json::Value`
/// keeps the last duplicate, so a member kept as sent in `extra` after its typed parse
/// refused a duplicate would re-serialize into JSON that then parses typed, differently
/// (fuzz finding F4, docs/fuzzing.md). The verifier's JSON rules refuse duplicate keys in
/// the whole body, so verified requests never reach this error.
pub(crate) struct StrictValue(pub(crate) serde_json::Value);

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, SeqAccess, Visitor};
        use serde_json::Value;

        struct Strict;
        impl<'de> Visitor<'de> for Strict {
            type Value = Value;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_bool<E: Error>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }

            fn visit_i64<E: Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::from(v))
            }

            fn visit_u64<E: Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::from(v))
            }

            fn visit_f64<E: Error>(self, v: f64) -> Result<Value, E> {
                serde_json::Number::from_f64(v)
                    .map(Value::Number)
                    .ok_or_else(|| E::custom("a number that is not finite"))
            }

            fn visit_str<E: Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::String(v.to_owned()))
            }

            fn visit_string<E: Error>(self, v: String) -> Result<Value, E> {
                Ok(Value::String(v))
            }

            fn visit_unit<E: Error>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }

            fn visit_none<E: Error>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(StrictValue(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Value::Array(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut object = serde_json::Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    let StrictValue(value) = map.next_value()?;
                    if object.contains_key(&key) {
                        return Err(A::Error::custom(format_args!(
                            "duplicate key {key:?} in an object"
                        )));
                    }
                    object.insert(key, value);
                }
                Ok(Value::Object(object))
            }
        }
        deserializer.deserialize_any(Strict).map(StrictValue)
    }
}

/// The one-pass reading behind [`RequestEnvelope::from_slice`](crate::RequestEnvelope::from_slice):
/// a value read straight from the deserializer, each field parsed into its type as it comes,
/// with no raw capture of any member. It has no tolerance of its own: wherever the tolerant
/// parse would do anything but read a member as its field's type (a value that does not fit,
/// a duplicate key, a `null`), it fails, and the caller parses the body again tolerantly.
/// So whenever it succeeds its result is the tolerant parse's, at the cost of one scan of the
/// body instead of one per nesting level.
pub(crate) trait Exact<'de>: Sized {
    /// Reads `Self` in one pass, or fails where the tolerant parse would not simply read it.
    fn exact<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// The [`serde::de::DeserializeSeed`] that reads a `T` with [`Exact::exact`].
pub(crate) struct ExactSeed<T>(std::marker::PhantomData<T>);

impl<'de, T: Exact<'de>> serde::de::DeserializeSeed<'de> for ExactSeed<T> {
    type Value = T;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::exact(deserializer)
    }
}

/// Types whose exact reading is their ordinary `Deserialize`: leaves, and types whose tolerant
/// parse is the same whether it reads from the body or from a member's raw text (the member
/// is then either read whole as the type, or the exact reading fails).
macro_rules! exact_is_deserialize {
    ($($ty:ty),* $(,)?) => {
        $(
            impl<'de> $crate::macros::Exact<'de> for $ty {
                fn exact<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    <$ty as ::serde::Deserialize<'de>>::deserialize(deserializer)
                }
            }
        )*
    };
}

exact_is_deserialize!(
    String,
    bool,
    u32,
    u64,
    i64,
    f64,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
    crate::NumberLike,
    crate::request::Resolutions,
    crate::request::SlotValue,
);

impl<'de, T: serde::Deserialize<'de>> Exact<'de> for Vec<T> {
    fn exact<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Vec<T> as serde::Deserialize<'de>>::deserialize(deserializer)
    }
}

impl<'de, T: serde::Deserialize<'de>> Exact<'de> for std::collections::BTreeMap<String, T> {
    fn exact<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Self as serde::Deserialize<'de>>::deserialize(deserializer)
    }
}

/// Reads the value of field `key` into `slot` with [`Exact::exact`]. A `null` the field's
/// type does not take is kept in `extra`, as the tolerant parse keeps it (real requests
/// carry `"accessToken": null`). A second member with the same key fails (the tolerant
/// parse would keep the last one, and what it keeps aside could differ).
pub(crate) fn exact_field<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    key: &str,
    extra: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<(), A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: Exact<'de>,
{
    use serde::de::Error;
    if slot.is_some() || extra.contains_key(key) {
        return Err(A::Error::custom(format_args!("duplicate key `{key}`")));
    }
    match map.next_value_seed(NullOr(ExactSeed::<T>(std::marker::PhantomData)))? {
        Some(value) => *slot = Some(value),
        None => match T::exact(serde_json::Value::Null) {
            Ok(value) => *slot = Some(value),
            Err(_) => {
                extra.insert(key.to_owned(), serde_json::Value::Null);
            }
        },
    }
    Ok(())
}

/// Reads `null` as `None` and anything else with the inner seed.
struct NullOr<S>(S);

impl<'de, S: serde::de::DeserializeSeed<'de>> serde::de::DeserializeSeed<'de> for NullOr<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        struct NullOrVisitor<S>(S);
        impl<'de, S: serde::de::DeserializeSeed<'de>> serde::de::Visitor<'de> for NullOrVisitor<S> {
            type Value = Option<S::Value>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a value or null")
            }

            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Self::Value, D::Error> {
                self.0.deserialize(deserializer).map(Some)
            }
        }
        deserializer.deserialize_option(NullOrVisitor(self.0))
    }
}

/// Reads the value of a member no field takes into `extra`, as [`rest`] would keep it; a
/// duplicate key fails.
pub(crate) fn exact_extra<'de, A: serde::de::MapAccess<'de>>(
    map: &mut A,
    extra: &mut serde_json::Map<String, serde_json::Value>,
    key: Cow<'de, str>,
) -> Result<(), A::Error> {
    use serde::de::Error;
    let StrictValue(value) = map.next_value()?;
    match extra.entry(key.into_owned()) {
        serde_json::map::Entry::Vacant(entry) => {
            entry.insert(value);
            Ok(())
        }
        serde_json::map::Entry::Occupied(entry) => Err(A::Error::custom(format_args!(
            "duplicate key `{}`",
            entry.key()
        ))),
    }
}

/// A struct built from the members of a JSON object (see [`RawObject`]); `skip` names a
/// member that is neither a field nor kept in `extra` (a request's `"type"` tag).
pub(crate) trait FromMembers: Sized {
    /// Builds the struct, or explains which required field is missing or malformed (or
    /// which value is not JSON the model accepts).
    fn from_members(members: &[Member<'_>], skip: Option<&str>) -> Result<Self, String>;
}

/// Implements a tolerant `Deserialize` for a struct whose other fields are all kept in a
/// flattened `extra` map: each listed field is read from the object's raw members with
/// [`take_member`] (optional fields stay `None`, defaulted ones take their default when the
/// value does not fit, required ones fail the object, skipped ones are not read from JSON),
/// so one odd field never fails the whole object.
macro_rules! lenient_deserialize {
    (
        $name:ident {
            $( $field:ident: $key:literal, )*
        }
        $( defaults { $( $dfield:ident: $dkey:literal, )* } )?
        $( required { $( $rfield:ident: $rkey:literal, )* } )?
        $( skipped { $( $sfield:ident, )* } )?
    ) => {
        impl $crate::macros::FromMembers for $name {
            fn from_members(
                members: &[$crate::macros::Member<'_>],
                skip: Option<&str>,
            ) -> Result<Self, String> {
                let mut taken: Vec<&'static str> = Vec::new();
                $( let $field = $crate::macros::take_member(members, $key, &mut taken); )*
                $($( let $dfield = $crate::macros::take_member(members, $dkey, &mut taken).unwrap_or_default(); )*)?
                $($( let $rfield = $crate::macros::take_member(members, $rkey, &mut taken)
                    .ok_or_else(|| concat!("missing or malformed `", $rkey, "`").to_owned())?; )*)?
                let extra = $crate::macros::rest(members, &taken, skip).map_err(|e| e.to_string())?;
                Ok(Self {
                    $( $field, )*
                    $($( $dfield, )*)?
                    $($( $rfield, )*)?
                    $($( $sfield: Default::default(), )*)?
                    extra,
                })
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <$crate::macros::RawObject as ::serde::Deserialize>::deserialize(deserializer)?;
                <Self as $crate::macros::FromMembers>::from_members(&raw.0, None)
                    .map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }

        impl<'de> $crate::macros::Exact<'de> for $name {
            fn exact<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Fields;
                impl<'de> ::serde::de::Visitor<'de> for Fields {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        $( let mut $field = None; )*
                        $($( let mut $dfield = None; )*)?
                        $($( let mut $rfield = None; )*)?
                        let mut extra = ::serde_json::Map::new();
                        while let Some($crate::macros::Key(key)) = map.next_key()? {
                            match key.as_ref() {
                                $( $key => $crate::macros::exact_field(&mut map, &mut $field, $key, &mut extra)?, )*
                                $($( $dkey => $crate::macros::exact_field(&mut map, &mut $dfield, $dkey, &mut extra)?, )*)?
                                $($( $rkey => $crate::macros::exact_field(&mut map, &mut $rfield, $rkey, &mut extra)?, )*)?
                                _ => $crate::macros::exact_extra(&mut map, &mut extra, key)?,
                            }
                        }
                        Ok($name {
                            $( $field, )*
                            $($( $dfield: $dfield.unwrap_or_default(), )*)?
                            $($( $rfield: $rfield.ok_or_else(|| <A::Error as ::serde::de::Error>::missing_field($rkey))?, )*)?
                            $($( $sfield: Default::default(), )*)?
                            extra,
                        })
                    }
                }
                deserializer.deserialize_map(Fields)
            }
        }
    };
}
