//! Reading a record without `#[serde(flatten)]`: the keys a record type declares go straight
//! to its derived reader, every other key is kept as JSON for `attributes`. Flatten would buffer
//! every value of the record first and read it twice; this reads each declared value once,
//! which halves the cost of reading a lead (the routing bridges read leads by the million).
//!
//! The declared keys (after serde renames) are learnt once per type from the derived reader
//! itself, by handing it a [`Probe`] deserializer that records the field list serde passes to
//! `deserialize_struct`; so they can never drift from the struct.

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

/// The wire keys of a derived struct `W`.
pub(crate) fn declared_keys<'de, W: de::Deserialize<'de>>(
    cell: &'static OnceLock<&'static [&'static str]>,
) -> &'static [&'static str] {
    cell.get_or_init(|| {
        let mut fields: &'static [&'static str] = &[];
        let _ = W::deserialize(Probe(&mut fields));
        fields
    })
}

/// A deserializer that only records the fields of `deserialize_struct`.
struct Probe<'a>(&'a mut &'static [&'static str]);

#[derive(Debug)]
struct Probed;

impl fmt::Display for Probed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("probed")
    }
}
impl std::error::Error for Probed {}
impl de::Error for Probed {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Probed
    }
}

impl<'de> Deserializer<'de> for Probe<'_> {
    type Error = Probed;
    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probed> {
        Err(Probed)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Probed> {
        *self.0 = fields;
        Err(Probed)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// Reads a record: `W` (the derived twin without a catch-all) from the declared keys, and the
/// other keys into the returned map.
pub(crate) fn read_record<'de, D, W>(
    d: D,
    name: &'static str,
    declared: &'static [&'static str],
) -> Result<(W, Map<String, Value>), D::Error>
where
    D: Deserializer<'de>,
    W: de::Deserialize<'de>,
{
    d.deserialize_map(RecordVisitor {
        name,
        declared,
        marker: PhantomData,
    })
}

struct RecordVisitor<W> {
    name: &'static str,
    declared: &'static [&'static str],
    marker: PhantomData<W>,
}

impl<'de, W: de::Deserialize<'de>> Visitor<'de> for RecordVisitor<W> {
    type Value = (W, Map<String, Value>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", self.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut extra = Map::new();
        let split = Split {
            inner: map,
            declared: self.declared,
            extra: &mut extra,
        };
        let wire = W::deserialize(de::value::MapAccessDeserializer::new(split))?;
        Ok((wire, extra))
    }
}

/// The record's map with undeclared keys taken out on the way.
struct Split<'m, A> {
    inner: A,
    declared: &'static [&'static str],
    extra: &'m mut Map<String, Value>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Split<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        while let Some(Key(key)) = self.inner.next_key::<Key<'de>>()? {
            if self.declared.contains(&key.as_ref()) {
                let key: de::value::CowStrDeserializer<'_, A::Error> = key.into_deserializer();
                return seed.deserialize(key).map(Some);
            }
            let value: Value = self.inner.next_value()?;
            self.extra.insert(key.into_owned(), value);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.inner.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A key, borrowed from the input when it can be.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}
