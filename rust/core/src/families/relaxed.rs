//! serde's second reading of a payload its derived structs refused, with the two spellings of valid
//! JSON that they refuse and Python's `json` (the reference) reads:
//! - a key given twice: serde's "duplicate field"; `json.loads` keeps the last value (at the place
//!   of the first key), and so does this reading;
//! - `-0` as an integer: serde reads it as the float `-0.0`, which an integer field (`lenient_u64`,
//!   which cannot tell it from `-0.0` there) refuses; `json.loads` reads the integer `0`, and so does
//!   this reading (`-0.0` stays a float in both, which an integer field passes over).
//!
//! [`Relaxed`] is a `Deserializer` over the text of one value. Objects and arrays it reads itself,
//! their members and elements as raw text that it reads the same way when the struct asks; every
//! other value it hands to `serde_json` as is, so values, borrowing and errors are serde's. It runs
//! only after serde has refused a valid payload (`parse_json`): the usual path never comes here.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// The name `serde_json` gives the newtype struct its `RawValue` asks for: that value is the text as
/// it stands, duplicate keys and all, so `serde_json` reads it.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Reads `text` (valid JSON) as `T`, with the rules of the module notes.
pub fn from_str<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, serde_json::Error> {
    T::deserialize(Relaxed(text))
}

/// The text of one JSON value, leading and trailing whitespace allowed.
#[derive(Clone, Copy)]
pub struct Relaxed<'a>(&'a str);

impl<'a> Relaxed<'a> {
    fn strict(self) -> serde_json::Deserializer<serde_json::de::StrRead<'a>> {
        serde_json::Deserializer::from_str(self.0)
    }

    fn trimmed(self) -> &'a str {
        self.0.trim_matches([' ', '\t', '\n', '\r'])
    }

    fn first(self) -> Option<u8> {
        self.trimmed().bytes().next()
    }

    fn is_minus_zero(self) -> bool {
        self.trimmed() == "-0"
    }

    /// An object's members, a key given twice keeping its first place and its last value.
    fn visit_object<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        let Members(members) = Members::deserialize(&mut self.strict())?;
        visitor.visit_map(MapDeserializer::new(
            members.into_iter().map(|(k, v)| (k, Relaxed(v.get()))),
        ))
    }

    fn visit_array<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        let items = <Vec<&'a RawValue>>::deserialize(&mut self.strict())?;
        visitor.visit_seq(SeqDeserializer::new(items.into_iter().map(|v| Relaxed(v.get()))))
    }

    /// A container read here, anything else by `serde_json` (`scalar`).
    fn any_or<V: Visitor<'a>>(
        self,
        visitor: V,
        scalar: impl FnOnce(&mut serde_json::Deserializer<serde_json::de::StrRead<'a>>, V) -> serde_json::Result<V::Value>,
    ) -> Result<V::Value, serde_json::Error> {
        match self.first() {
            Some(b'{') => self.visit_object(visitor),
            Some(b'[') => self.visit_array(visitor),
            _ => scalar(&mut self.strict(), visitor),
        }
    }

    /// An integer: `-0` is `0`.
    fn integer<V: Visitor<'a>>(
        self,
        visitor: V,
        scalar: impl FnOnce(&mut serde_json::Deserializer<serde_json::de::StrRead<'a>>, V) -> serde_json::Result<V::Value>,
    ) -> Result<V::Value, serde_json::Error> {
        if self.is_minus_zero() {
            return visitor.visit_u64(0);
        }
        self.any_or(visitor, scalar)
    }
}

/// An object's members as raw values, in order, each key once.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;

        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
                // Where each key is in `members`: a hostile object of many keys stays linear.
                let mut at: HashMap<Cow<'de, str>, usize> = HashMap::new();
                while let Some(Key(key)) = map.next_key()? {
                    let value = map.next_value()?;
                    if let Some(member) = at.get(&key).and_then(|&n| members.get_mut(n)) {
                        member.1 = value;
                    } else {
                        at.insert(key.clone(), members.len());
                        members.push((key, value));
                    }
                }
                Ok(Members(members))
            }
        }

        deserializer.deserialize_map(MembersVisitor)
    }
}

/// A key, borrowed unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'a> IntoDeserializer<'a, serde_json::Error> for Relaxed<'a> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// The methods that read a scalar the way `serde_json` does, a container the way `Relaxed` does.
macro_rules! scalar_or_container {
    ($($method:ident),*) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                self.any_or(visitor, |de, v| de.$method(v))
            }
        )*
    };
}

/// The integer methods: `-0` is `0`, else as `scalar_or_container`.
macro_rules! integers {
    ($($method:ident),*) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                self.integer(visitor, |de, v| de.$method(v))
            }
        )*
    };
}

impl<'a> de::Deserializer<'a> for Relaxed<'a> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.integer(visitor, |de, v| de.deserialize_any(v))
    }

    integers!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128
    );

    scalar_or_container!(
        deserialize_bool,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier
    );

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.trimmed() == "null" {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(self, name: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        self.any_or(visitor, |de, v| de.deserialize_unit_struct(name, v))
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if name == RAW_VALUE_TOKEN {
            return self.strict().deserialize_newtype_struct(name, visitor);
        }
        // A lenient integer field (`schema::lenient_u64`): the value itself, `-0` read as `0`.
        if name == crate::families::schema::LENIENT_INTEGER {
            return self.deserialize_any(visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        self.any_or(visitor, |de, v| de.deserialize_tuple(len, v))
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.any_or(visitor, |de, v| de.deserialize_tuple_struct(name, len, v))
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.any_or(visitor, |de, v| de.deserialize_struct(name, fields, v))
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // No wire struct has an externally tagged enum: `serde_json` reads it whole.
        self.strict().deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.strict().deserialize_ignored_any(visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use serde::Deserialize;

    use super::from_str;
    use crate::families::{parse_json, Obj, Raw};

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        n: Option<u64>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // read through `Debug`
    struct Outer<'a> {
        #[serde(borrow)]
        s: Option<Cow<'a, str>>,
        inner: Option<Obj<Inner>>,
        list: Option<Vec<Obj<Inner>>>,
        #[serde(borrow)]
        raw: Option<Raw<'a>>,
        f: Option<f64>,
    }

    fn read(text: &str) -> Result<String, String> {
        parse_json::<Obj<Outer<'_>>>(text)
            .map(|o| format!("{:?}", o.0))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_last_of_a_repeated_key_wins_at_every_depth() {
        let got = read(r#"{"s":"a","inner":{"n":1,"n":2},"s":"b","list":[{"n":3,"n":null}],"s":"c"}"#);
        let want = read(r#"{"s":"c","inner":{"n":2},"list":[{"n":null}]}"#);
        assert_eq!(got, want);
        assert!(got.is_ok_and(|g| g.contains("\"c\"")));
    }

    #[test]
    fn minus_zero_is_zero_in_an_integer_and_stays_a_float_elsewhere() {
        assert_eq!(read(r#"{"inner":{"n":-0}}"#), read(r#"{"inner":{"n":0}}"#));
        assert_eq!(read(r#"{"list":[{"n": -0 }]}"#), read(r#"{"list":[{"n":0}]}"#));
        assert!(read(r#"{"f":-0,"f":-0}"#).is_ok_and(|g| g.contains("f: Some(-0.0)")));
        // `-0.0` and `0.0` are floats in Python's json too: no integer field takes them.
        for float in ["-0.0", "0.0", "1E+2"] {
            assert_eq!(
                read(&format!(r#"{{"inner":{{"n":{float}}}}}"#)),
                Err("unexpected payload: JSON of the wrong shape".to_owned())
            );
        }
    }

    #[test]
    fn a_raw_value_is_the_text_as_sent() {
        let text = r#"{"raw":{"a":1,"a":-0},"s":"x","s":"y"}"#;
        let got = parse_json::<Obj<Outer<'_>>>(text).expect("read").0;
        assert_eq!(got.raw.map(Raw::get), Some(r#"{"a":1,"a":-0}"#));
        assert_eq!(got.s.as_deref(), Some("y"));
    }

    #[test]
    fn what_serde_refuses_for_another_reason_stays_refused() {
        for text in [
            r#"{"s":"a","inner":[1]}"#,
            r#"{"inner":{"n":"1"},"inner":{"n":-1}}"#,
            r#"{"f":1,"f":"x"}"#,
        ] {
            assert_eq!(
                read(text),
                Err("unexpected payload: JSON of the wrong shape".to_owned()),
                "{text}"
            );
        }
        assert!(from_str::<Obj<Inner>>(r#"{"n":-0,"n":true}"#).is_err());
    }
}
