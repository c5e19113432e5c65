//! Macros for the two shapes that recur all over Alexa's JSON: string enumerations that must
//! accept values this version does not know, and objects tagged by a `"type"` field.

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

/// Takes the value under `key` out of `map` as a `T`. If it is absent or does not fit `T`
/// (a `null`, a number where a string belongs, an array where an object belongs), it stays in
/// `map` (and so in the struct's `extra`, re-serialized as sent) and `None` is returned.
pub(crate) fn take_lenient<T: serde::de::DeserializeOwned>(
    map: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Option<T> {
    let value = map.get(key)?;
    let typed = T::deserialize(value).ok()?;
    map.remove(key);
    Some(typed)
}

/// Implements a tolerant `Deserialize` for a struct whose other fields are all kept in a
/// flattened `extra` map: each listed field is taken with [`take_lenient`] (optional fields
/// stay `None`, defaulted ones take their default when the value does not fit, required ones
/// fail the object, skipped ones are not read from JSON), so one odd field never fails the
/// whole object.
macro_rules! lenient_deserialize {
    (
        $name:ident {
            $( $field:ident: $key:literal, )*
        }
        $( defaults { $( $dfield:ident: $dkey:literal, )* } )?
        $( required { $( $rfield:ident: $rkey:literal, )* } )?
        $( skipped { $( $sfield:ident, )* } )?
    ) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let mut map = <::serde_json::Map<String, ::serde_json::Value> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self {
                    $( $field: $crate::macros::take_lenient(&mut map, $key), )*
                    $($( $dfield: $crate::macros::take_lenient(&mut map, $dkey).unwrap_or_default(), )*)?
                    $($( $rfield: $crate::macros::take_lenient(&mut map, $rkey).ok_or_else(|| {
                        <D::Error as ::serde::de::Error>::custom(concat!("missing or malformed `", $rkey, "`"))
                    })?, )*)?
                    $($( $sfield: Default::default(), )*)?
                    extra: map,
                })
            }
        }
    };
}
