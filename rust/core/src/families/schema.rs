//! `wire!`: a wire struct declared once, for both of its readers.
//!
//! ```text
//! wire! {
//!     /// One streamed chunk.
//!     pub(super) struct Chunk<'a> {
//!         id: str,
//!         kind as "type": str,
//!         index: u64,
//!         choices: list(Choice<'a>) mark(seen_at_choices),
//!         usage: raw,
//!         error: rare(ApiError<'a>),
//!     }
//! }
//! ```
//!
//! gives:
//! - the struct, every field an `Option` (JSON `null` and a missing key both read as `None`), with
//!   serde's `Deserialize` (the authoritative reader, used where the scan gives up: see `scan`);
//! - `Chunk::scan`, which fills a `Chunk` from a [`Scan`](super::scan::Scan) as serde would read
//!   it, or gives up, and `Chunk::scan_field`, its step for one key (for a scan that resumes
//!   inside the object);
//! - one [`Field`](super::scan::Field) constant per field, named as the field (`Chunk::usage`), for
//!   the [`FieldsRead`](super::scan::FieldsRead) the scan keeps: a key read twice is serde's
//!   "duplicate field" error, so the scan gives up on it.
//!
//! Kinds of field, and what the scan does with their values:
//! - `str`, `u64`, `bool`: `Option<Cow<str>>` (borrowed unless escaped), `Option<u64>`, `Option<bool>`;
//!   a value of another JSON type reads as absent (tolerant reader: a known field with a new type is
//!   passed over, the rest kept; for `u64` a negative integer, a float or an integer beyond `u64`
//!   too, `-0` being `0`: [`lenient_u64`]); the scan gives such a value up to serde;
//! - `strict_str`: a `str` field whose value of another JSON type fails the whole payload in serde
//!   (the scan gives it up, as for `str`);
//! - `raw`: `Option<Raw>`, the exact text of any value, validated;
//! - `obj(T)`, `list(T)`: `Option<Obj<T>>`, `Option<List<T>>`, `T` a wire struct read by its own scan;
//!   as for `str`, a value of another JSON type reads as absent, and so a list's item that is not an
//!   object is left out of the list ([`lenient_obj`], [`lenient_list`]). The scan gives such a value
//!   up to serde (its readers expect `{` and `[`), so the lenient reading costs nothing when the
//!   type is right;
//! - `str_or_list(T)`: `Option<StrOrList<T>>`, a string or an array of `T`s (Mistral's content);
//!   any other value reads as absent, as for `str`;
//! - `rare(T)`: an `obj(T)` that the scan reads only as `null`, leaving any other value to serde
//!   (fields too rare to be worth a scan; `T` is read by serde alone);
//! - `raw_with_list(T, into)`: `Option<Raw>`, and when the value is an array its items are also read
//!   as `T`s into the field `into` (which serde leaves empty), so that a long list is read once.
//!
//! `as "key"` gives the JSON key where it is not the field's name. `mark(at)` after a field adds a
//! field `at` that the scan sets, before it reads the value, to its position and the fields read so
//! far (a [`ScanOnly`](super::scan::ScanOnly), which serde leaves empty).
//!
//! A struct with a lifetime has it as `'a`; serde is told that the input outlives it, so that a
//! struct of nested structs alone borrows as well.

/// See the module notes.
macro_rules! wire {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident<'a> { $($fields:tt)* }
    ) => {
        $crate::families::schema::wire!(@munch
            [$(#[$meta])* #[serde(bound(deserialize = "'de: 'a"))] $vis struct $name<'a>]
            [$vis] [<'a>] [$name<'a>] []
            {} {} [0]
            [$($fields)*]
            $($fields)*
        );
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($fields:tt)* }
    ) => {
        $crate::families::schema::wire!(@munch
            [$(#[$meta])* $vis struct $name]
            [$vis] [] [$name] [<'a>]
            {} {} [0]
            [$($fields)*]
            $($fields)*
        );
    };

    // One field at a time: its struct field(s) and its bit constant. `str` and `raw` borrow from the
    // input (serde's `Cow` borrows only when told to).
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : str $(mark($mark:ident))? $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")] $(#[serde(rename = $key)])? $vis $field: Option<std::borrow::Cow<'a, str>>,
                $(#[serde(skip)] $vis $mark: $crate::families::scan::ScanOnly<(usize, $crate::families::scan::FieldsRead)>,)?}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : strict_str $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(borrow, default)] $(#[serde(rename = $key)])? $vis $field: Option<std::borrow::Cow<'a, str>>,}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : str_or_list($item:ty) $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(default, deserialize_with = "crate::families::schema::str_or_list")] $(#[serde(rename = $key)])? $vis $field: Option<$crate::families::schema::StrOrList<'a, $item>>,}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : raw $(mark($mark:ident))? $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(borrow)] $(#[serde(rename = $key)])? $vis $field: Option<$crate::families::Raw<'a>>,
                $(#[serde(skip)] $vis $mark: $crate::families::scan::ScanOnly<(usize, $crate::families::scan::FieldsRead)>,)?}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : raw_with_list($item:ty, $into:ident) $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(borrow)] $(#[serde(rename = $key)])? $vis $field: Option<$crate::families::Raw<'a>>,
                #[serde(skip)] $vis $into: Option<$crate::families::List<$item>>,}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : obj($item:ty) $(mark($mark:ident))? $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(default, deserialize_with = "crate::families::schema::lenient_obj")] $(#[serde(rename = $key)])? $vis $field: Option<$crate::families::Obj<$item>>,
                $(#[serde(skip)] $vis $mark: $crate::families::scan::ScanOnly<(usize, $crate::families::scan::FieldsRead)>,)?}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : list($item:ty) $(mark($mark:ident))? $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(default, deserialize_with = "crate::families::schema::lenient_list")] $(#[serde(rename = $key)])? $vis $field: Option<$crate::families::List<$item>>,
                $(#[serde(skip)] $vis $mark: $crate::families::scan::ScanOnly<(usize, $crate::families::scan::FieldsRead)>,)?}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : rare($item:ty) $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(default, deserialize_with = "crate::families::schema::lenient_obj")] $(#[serde(rename = $key)])? $vis $field: Option<$crate::families::Obj<$item>>,}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : u64 $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(default, deserialize_with = "crate::families::schema::lenient_u64")] $(#[serde(rename = $key)])? $vis $field: Option<u64>,}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };
    (@munch $head:tt [$vis:vis] $impl_gen:tt $self_ty:tt $fn_gen:tt {$($done:tt)*} {$($bits:tt)*} [$($n:tt)*] $all:tt
        $(#[$fm:meta])* $field:ident $(as $key:literal)? : bool $(, $($rest:tt)*)?
    ) => {
        $crate::families::schema::wire!(@munch $head [$vis] $impl_gen $self_ty $fn_gen
            {$($done)* $(#[$fm])* #[serde(default, deserialize_with = "crate::families::schema::lenient_bool")] $(#[serde(rename = $key)])? $vis $field: Option<bool>,}
            {$($bits)* $field = [$($n)*],}
            [$($n)* + 1] $all $($($rest)*)?
        );
    };

    // Every field done: the struct, its bits, its scan.
    (@munch [$($head:tt)*] [$vis:vis] [$($impl_gen:tt)*] [$self_ty:ty] [$($fn_gen:tt)*]
        {$($done:tt)*} {$($bit:ident = [$($n:tt)*],)*} [$($count:tt)*]
        [$($(#[$fm:meta])* $field:ident $(as $key:literal)? : $kind:ident $(($($arg:tt)*))? $(mark($mark:ident))?),* $(,)?]
    ) => {
        #[derive(Debug, Default, serde::Deserialize)]
        $($head)* {
            $($done)*
        }

        #[allow(non_upper_case_globals)]
        impl $($impl_gen)* $self_ty {
            $(
                #[doc = concat!("The bit of `", stringify!($bit), "` in the fields the scan has read.")]
                $vis const $bit: $crate::families::scan::Field = $crate::families::scan::Field::nth($($n)*);
            )*
        }

        impl $($impl_gen)* $self_ty {
            /// Fills `value` (a default one) as serde would read it, or gives up where the scan
            /// cannot vouch for that (see `scan`).
            $vis fn scan $($fn_gen)* (
                s: &mut $crate::families::scan::Scan<'a>,
                value: &mut Self,
            ) -> $crate::families::scan::Scanned<()> {
                let mut seen = $crate::families::scan::FieldsRead::default();
                s.object(|s, key| Self::scan_field(s, value, &mut seen, key))
            }

            /// The value of member `key` into `value` (`Ok(false)`: not a field, left unread).
            $vis fn scan_field $($fn_gen)* (
                s: &mut $crate::families::scan::Scan<'a>,
                value: &mut Self,
                seen: &mut $crate::families::scan::FieldsRead,
                key: &str,
            ) -> $crate::families::scan::Scanned<bool> {
                match key {
                    $(
                        $crate::families::schema::wire!(@key $field $($key)?) => {
                            seen.read_once(Self::$field)?;
                            $(value.$mark = $crate::families::scan::ScanOnly(Some((s.position(), *seen)));)?
                            $crate::families::schema::wire!(@read s value $field $kind $(($($arg)*))?);
                        }
                    )*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };

    (@key $field:ident) => { stringify!($field) };
    (@key $field:ident $key:literal) => { $key };

    (@read $s:ident $value:ident $field:ident str) => { $value.$field = $s.opt_str()? };
    (@read $s:ident $value:ident $field:ident strict_str) => { $value.$field = $s.opt_str()? };
    (@read $s:ident $value:ident $field:ident u64) => { $value.$field = $s.opt_u64()? };
    (@read $s:ident $value:ident $field:ident bool) => { $value.$field = $s.opt_bool()? };
    (@read $s:ident $value:ident $field:ident raw) => { $value.$field = $s.opt_raw()? };
    (@read $s:ident $value:ident $field:ident str_or_list($t:ty)) => {
        if $s.peek_value()? == b'[' {
            let mut list = None;
            $s.opt_list(&mut list, <$t>::scan)?;
            $value.$field = list.map($crate::families::schema::StrOrList::List);
        } else {
            $value.$field = $s.opt_str()?.map($crate::families::schema::StrOrList::Str);
        }
    };
    (@read $s:ident $value:ident $field:ident obj($t:ty)) => { $s.opt_obj(&mut $value.$field, <$t>::scan)? };
    (@read $s:ident $value:ident $field:ident list($t:ty)) => { $s.opt_list(&mut $value.$field, <$t>::scan)? };
    (@read $s:ident $value:ident $field:ident rare($t:ty)) => { $s.null_only()? };
    (@read $s:ident $value:ident $field:ident raw_with_list($t:ty, $into:ident)) => {
        if $s.peek_value()? == b'[' {
            let ((), raw) = $s.raw(|s| s.opt_list(&mut $value.$into, <$t>::scan))?;
            $value.$field = Some(raw);
        } else {
            $value.$field = $s.opt_raw()?;
        }
    };
}

pub(crate) use wire;

/// The visitor methods of a lenient field for the values it does not take (`null`, and any other
/// JSON type it does not model): `None`, so that a field with a new type does not fail the payload.
macro_rules! passed_over {
    () => {
        passed_over!(scalars);
        passed_over!(map);
    };
    // The scalars alone: `null`, booleans and numbers (strings are each reader's own).
    (scalars) => {
        passed_over!(null);
        passed_over!(bool);
        passed_over!(numbers);
    };
    (null) => {
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
    (bool) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
    (numbers) => {
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
    (map) => {
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    };
}

/// A field sent as a string or as an array of typed items (Mistral's `content`).
#[derive(Debug)]
pub enum StrOrList<'a, T> {
    Str(std::borrow::Cow<'a, str>),
    List(super::List<T>),
}

/// serde's reader of a `str_or_list` field: as [`lenient_str`], but an array is read as `T`s (its
/// items that are not objects left out, as in [`lenient_list`]).
pub(crate) fn str_or_list<'de: 'a, 'a, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<StrOrList<'a, T>>, D::Error> {
    struct Visit<'a, T>(std::marker::PhantomData<(&'a (), T)>);

    impl<'de: 'a, 'a, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visit<'a, T> {
        type Value = Option<StrOrList<'a, T>>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut list = super::List::new();
            while let Some(item) = seq.next_element::<ObjItem<T>>()? {
                list.extend(item);
            }
            Ok(Some(StrOrList::List(list)))
        }

        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        passed_over!();

        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(StrOrList::Str(std::borrow::Cow::Borrowed(v))))
        }

        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(StrOrList::Str(std::borrow::Cow::Owned(v.to_owned()))))
        }

        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(StrOrList::Str(std::borrow::Cow::Owned(v))))
        }
    }

    deserializer.deserialize_any(Visit(std::marker::PhantomData))
}

/// serde's reader of a `str` field: a string, or `None` for `null` and for a value of any other
/// JSON type (skipped), so that a field with a new type does not fail the payload.
pub(crate) fn lenient_str<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<std::borrow::Cow<'a, str>>, D::Error> {
    deserializer.deserialize_any(LenientStr(std::marker::PhantomData))
}

/// [`lenient_str`] into an owned string.
pub(crate) fn lenient_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    lenient_str(deserializer).map(|s| s.map(std::borrow::Cow::into_owned))
}

/// The name under which [`lenient_u64`] asks for its value. `serde_json` hands it on to the
/// visitor's `visit_newtype_struct`; the relaxed reading (`relaxed`), which reads `-0` as the
/// integer `0`, answers it with the value itself.
pub(crate) const LENIENT_INTEGER: &str = "$streamdelta::LenientInteger";

/// serde's reader of a `u64` field: a non-negative integer that fits, or `None` for `null` and for
/// any other value (a string, an object, a negative integer, a float, an integer beyond `u64`),
/// passed over. `serde_json` reads `-0` as the float `-0.0`, which the first reading refuses here so
/// that the relaxed reading, where `-0` is `0` as in Python's `json`, decides (see `relaxed`); a
/// float `-0.0` it then passes over as any other float.
pub(crate) fn lenient_u64<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    deserializer.deserialize_newtype_struct(LENIENT_INTEGER, LenientU64 { first_reading: false })
}

struct LenientU64 {
    /// Read by `serde_json` itself, where `-0` and `-0.0` are the same float.
    first_reading: bool,
}

impl<'de> serde::de::Visitor<'de> for LenientU64 {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(LenientU64 { first_reading: true })
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if self.first_reading && v == 0.0 && v.is_sign_negative() {
            return Err(E::custom("`-0` is left to the relaxed reading"));
        }
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    // A negative integer.
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    passed_over!(null);
    passed_over!(bool);
    passed_over!(map);
}

/// serde's reader of a `bool` field: a boolean, or `None` for `null` and for a value of any other
/// JSON type (passed over).
pub(crate) fn lenient_bool<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    struct Visit;

    impl<'de> serde::de::Visitor<'de> for Visit {
        type Value = Option<bool>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        passed_over!(null);
        passed_over!(numbers);
        passed_over!(map);

        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }

    deserializer.deserialize_any(Visit)
}

struct LenientStr<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for LenientStr<'a> {
    type Value = Option<std::borrow::Cow<'a, str>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(std::borrow::Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(std::borrow::Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(std::borrow::Cow::Owned(v)))
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    passed_over!();

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// serde's reader of a list of strings, each item read as [`lenient_str`] reads a field: an item of
/// another JSON type is passed over, and so is a value that is not a list (Perplexity's `citations`).
pub(crate) fn lenient_str_list<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<std::borrow::Cow<'a, str>>, D::Error> {
    struct Item<'a>(Option<std::borrow::Cow<'a, str>>);

    impl<'de: 'a, 'a> serde::Deserialize<'de> for Item<'a> {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            lenient_str(deserializer).map(Item)
        }
    }

    impl<'a> IntoIterator for Item<'a> {
        type Item = std::borrow::Cow<'a, str>;
        type IntoIter = std::option::IntoIter<Self::Item>;

        fn into_iter(self) -> Self::IntoIter {
            self.0.into_iter()
        }
    }

    lenient_items::<D, Item<'a>, Vec<_>>(deserializer).map(Option::unwrap_or_default)
}

/// serde's reader of an `obj` field: an object read as a `T`; a value of another JSON type is
/// passed over (read as absent, as [`lenient_str`] does), so that a field with a new type does not
/// fail the payload.
pub(crate) fn lenient_obj<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<super::Obj<T>>, D::Error> {
    deserializer
        .deserialize_any(ObjOrNothing(std::marker::PhantomData))
        .map(|t| t.map(super::Obj))
}

/// serde's reader of a `list` field: the object items of an array, read as `T`s; an item of another
/// JSON type is passed over (left out of the list), and a value that is not an array reads as absent.
pub(crate) fn lenient_list<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<super::List<T>>, D::Error> {
    lenient_items::<D, ObjItem<T>, super::List<T>>(deserializer)
}

/// One item of a list of structs: the struct, or nothing for an item of another JSON type.
struct ObjItem<T>(Option<T>);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for ObjItem<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ObjOrNothing(std::marker::PhantomData))
            .map(ObjItem)
    }
}

impl<T> IntoIterator for ObjItem<T> {
    type Item = super::Obj<T>;
    type IntoIter = std::option::IntoIter<Self::Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.map(super::Obj).into_iter()
    }
}

/// A [`lenient_list`] of `T`s on its own: a raw value read later as a list of objects.
#[derive(Debug, serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
pub struct LenientList<T>(#[serde(deserialize_with = "lenient_list")] pub Option<super::List<T>>);

/// An object read as a `T`, and `None` for any other JSON value (skipped).
struct ObjOrNothing<T>(std::marker::PhantomData<T>);

impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for ObjOrNothing<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    passed_over!(scalars);
}

/// The items of an array into `C`, each read as an `I` that holds what is kept of it (nothing for
/// an item passed over); a value that is not an array reads as absent.
fn lenient_items<'de, D, I, C>(deserializer: D) -> Result<Option<C>, D::Error>
where
    D: serde::Deserializer<'de>,
    I: serde::Deserialize<'de> + IntoIterator,
    C: Default + Extend<I::Item>,
{
    struct Visit<I, C>(std::marker::PhantomData<(I, C)>);

    impl<'de, I: serde::Deserialize<'de> + IntoIterator, C: Default + Extend<I::Item>> serde::de::Visitor<'de>
        for Visit<I, C>
    {
        type Value = Option<C>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items = C::default();
            while let Some(item) = seq.next_element::<I>()? {
                items.extend(item);
            }
            Ok(Some(items))
        }

        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        passed_over!();

        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    deserializer.deserialize_any(Visit::<I, C>(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::families::scan::test_support::scanned;
    use crate::families::{read_payload, Obj};

    wire! {
        struct Outer<'a> {
            name: str,
            inner: obj(Inner<'a>),
            items: list(Inner<'a>),
            rare_one: rare(Inner<'a>),
            after: str,
        }
    }

    wire! {
        struct Scalars<'a> {
            name: str,
            count: u64,
            flag: bool,
            after: str,
        }
    }

    wire! {
        struct Inner<'a> {
            text: str,
        }
    }

    fn read(data: &str) -> Result<Outer<'_>, ErrorKind> {
        let mut value = Outer::default();
        read_payload(data, &mut value, Outer::scan).map(|()| value)
    }

    fn texts<'v>(items: Option<&'v crate::families::List<Inner<'_>>>) -> Option<Vec<Option<&'v str>>> {
        items.map(|list| list.iter().map(|Obj(i)| i.text.as_deref()).collect())
    }

    #[test]
    fn objects_and_lists_of_the_right_type_are_read_by_the_scan() {
        let data = r#"{"name":"n","inner":{"text":"a"},"items":[{"text":"b"},{}],"rare_one":null,"after":"z"}"#;
        let scanned = scanned(data, Outer::scan).expect("the scan reads it");
        assert_eq!(scanned.inner.as_ref().and_then(|i| i.text.as_deref()), Some("a"));
        assert_eq!(texts(scanned.items.as_ref()), Some(vec![Some("b"), None]));
        assert_eq!(format!("{scanned:?}"), format!("{:?}", read(data).unwrap()));
    }

    /// A value of another JSON type reads as absent and a list item of another type is left out;
    /// the fields around it are kept. The scan gives such a value up (`None`): the lenient reading
    /// is serde's, off the usual path.
    #[test]
    fn another_json_type_is_passed_over_with_the_rest_kept() {
        let others = ["[]", "[{\"text\":\"x\"}]", "5", "-1.5e3", "\"s\"", "true", "{}"];
        for other in others {
            for field in ["inner", "items", "rare_one"] {
                if (field == "items") == other.starts_with('[') || (field != "items" && other == "{}") {
                    continue;
                }
                let data = format!(r#"{{"name":"n","{field}":{other},"after":"z"}}"#);
                assert!(scanned(&data, Outer::scan).is_none(), "{data}");
                let value = read(&data).unwrap_or_else(|e| panic!("{data}: {e}"));
                assert!(
                    value.inner.is_none() && value.items.is_none() && value.rare_one.is_none(),
                    "{data}"
                );
                assert_eq!(
                    (value.name.as_deref(), value.after.as_deref()),
                    (Some("n"), Some("z")),
                    "{data}"
                );
            }
        }
        for item in ["null", "1", "\"s\"", "[{\"text\":\"x\"}]", "true"] {
            let data = format!(r#"{{"items":[{item},{{"text":"b"}},{item}],"after":"z"}}"#);
            assert!(scanned(&data, Outer::scan).is_none(), "{data}");
            let value = read(&data).unwrap_or_else(|e| panic!("{data}: {e}"));
            assert_eq!(texts(value.items.as_ref()), Some(vec![Some("b")]), "{data}");
            assert_eq!(value.after.as_deref(), Some("z"));
        }
    }

    /// The relaxed reading (a key given twice, which serde's derived structs refuse) is as lenient.
    #[test]
    fn the_relaxed_reading_passes_over_too() {
        let value = read(r#"{"inner":{"text":"a"},"inner":[1],"items":[null,{"text":"b"}],"after":"z","after":"y"}"#)
            .expect("read");
        assert!(value.inner.is_none());
        assert_eq!(texts(value.items.as_ref()), Some(vec![Some("b")]));
        assert_eq!(value.after.as_deref(), Some("y"));
    }

    fn scalars(data: &str) -> Result<Scalars<'_>, ErrorKind> {
        let mut value = Scalars::default();
        read_payload(data, &mut value, Scalars::scan).map(|()| value)
    }

    /// A `u64` or `bool` field of another JSON type reads as absent, the fields around it kept. For a
    /// `u64` field a negative integer, a float (`-0.0` too) or an integer beyond `u64` is of another
    /// type: a number of another kind is a new type as a string is. `-0` is the integer `0` (Python's
    /// `json` reads it so). The scan gives all of these up: the lenient reading is serde's.
    #[test]
    fn scalars_of_another_type_are_passed_over_with_the_rest_kept() {
        let others = ["\"1\"", "\"true\"", "{}", "{\"a\":1}", "[]", "[1,2]"];
        let numbers = [
            "true",
            "false",
            "1.5",
            "-1",
            "1e2",
            "1.0",
            "-0.0",
            "0.0",
            "18446744073709551616",
            "-9223372036854775809",
        ];
        for (field, own, more) in [
            ("count", "1", &numbers[..]),
            ("flag", "true", &["1", "0", "-0", "-1.5", "1e2"][..]),
        ] {
            for other in others.iter().chain(more) {
                let data = format!(r#"{{"name":"n","{field}":{other},"after":"z"}}"#);
                assert!(scanned(&data, Scalars::scan).is_none(), "{data}");
                let value = scalars(&data).unwrap_or_else(|e| panic!("{data}: {e}"));
                assert!(value.count.is_none() && value.flag.is_none(), "{data}");
                assert_eq!(
                    (value.name.as_deref(), value.after.as_deref()),
                    (Some("n"), Some("z")),
                    "{data}"
                );
            }
            let data = format!(r#"{{"name":"n","{field}":{own},"after":"z"}}"#);
            let value = scalars(&data).expect("read");
            assert!(value.count == Some(1) || value.flag == Some(true), "{data}");
        }
        assert_eq!(
            scalars(r#"{"count":18446744073709551615}"#).map(|v| v.count),
            Ok(Some(u64::MAX))
        );
    }

    /// `-0` reads as `0` wherever the integer is (`serde_json` gives the float `-0.0` for it; the
    /// relaxed reading decides), and `-0.0` stays a float, passed over; a key given twice keeps its
    /// last value through the lenient reading too.
    #[test]
    fn minus_zero_is_zero_and_minus_zero_point_zero_is_passed_over() {
        for (data, count) in [
            (r#"{"count":-0,"after":"z"}"#, Some(0)),
            (r#"{"count": -0 ,"flag":true}"#, Some(0)),
            (r#"{"count":-0.0,"after":"z"}"#, None),
            (r#"{"count":-0e0,"after":"z"}"#, None),
            (r#"{"count":"x","count":3}"#, Some(3)),
            (r#"{"count":3,"count":[1]}"#, None),
        ] {
            let value = scalars(data).unwrap_or_else(|e| panic!("{data}: {e}"));
            assert_eq!(value.count, count, "{data}");
        }
    }

    /// A number beyond a double's range is still not valid JSON where serde reads it (the value of a
    /// scalar field); inside a container passed over it is skipped, as for `obj` fields.
    #[test]
    fn scalars_passed_over_are_still_read_as_json() {
        for data in [r#"{"count":1e400}"#, r#"{"flag":-1e400}"#] {
            assert!(matches!(scalars(data), Err(ErrorKind::InvalidJson { .. })), "{data}");
        }
        for data in [r#"{"count":[1e400]}"#, r#"{"flag":{"a":1e400}}"#] {
            assert!(scalars(data).is_ok(), "{data}");
        }
    }

    /// What is passed over is still JSON serde reads: a number beyond a double's range where it reads
    /// one is not valid JSON (the reference's `not_a_u64`), and the payload must still be an object.
    #[test]
    fn passed_over_values_are_still_read_as_json() {
        for data in [r#"{"inner":1e400}"#, r#"{"items":[1e400]}"#] {
            assert!(matches!(read(data), Err(ErrorKind::InvalidJson { .. })), "{data}");
        }
        for data in [r#"{"inner":[1e400]}"#, r#"{"items":{"a":1e400}}"#] {
            assert!(read(data).is_ok(), "{data}");
        }
        assert!(matches!(read("[1]"), Err(ErrorKind::UnexpectedPayload { .. })));
    }
}
