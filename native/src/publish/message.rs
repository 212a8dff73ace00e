//! The rows of one imported Arrow struct array: column lookup by name, the
//! per-row checks of Pub/Sub's limits, and the protobuf encoding of each row
//! as a `PubsubMessage`, written straight into a request buffer.

use crate::protobuf_write::{field_len, put_bytes_field};
use crate::publish::config::is_topic_name;
use arrow_array::cast::AsArray;
use arrow_array::{Array, GenericBinaryArray, GenericStringArray, MapArray, StructArray};
use arrow_schema::DataType;
use bytes::BytesMut;
use std::ops::Range;

/// Pub/Sub's per-message limits.
pub const MAX_MESSAGE_BYTES: usize = 10_000_000;
pub const MAX_ATTRIBUTES: usize = 100;
pub const MAX_ATTRIBUTE_KEY_BYTES: usize = 256;
pub const MAX_ATTRIBUTE_VALUE_BYTES: usize = 1024;
pub const MAX_ORDERING_KEY_BYTES: usize = 1024;

// PubsubMessage field numbers (google/pubsub/v1/pubsub.proto).
const DATA: u32 = 1;
const ATTRIBUTES: u32 = 2;
const ORDERING_KEY: u32 = 5;
// Field numbers of a map entry.
const ENTRY_KEY: u32 = 1;
const ENTRY_VALUE: u32 = 2;

/// A Utf8 or LargeUtf8 column.
#[derive(Clone, Copy)]
enum Text<'a> {
    Small(&'a GenericStringArray<i32>),
    Large(&'a GenericStringArray<i64>),
}

impl<'a> Text<'a> {
    fn of(column: &'a dyn Array) -> Option<Self> {
        match column.data_type() {
            DataType::Utf8 => Some(Text::Small(column.as_string::<i32>())),
            DataType::LargeUtf8 => Some(Text::Large(column.as_string::<i64>())),
            _ => None,
        }
    }

    fn get(self, i: usize) -> Option<&'a str> {
        match self {
            Text::Small(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Large(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// The payload column: binary, or text (Spark STRING payloads).
#[derive(Clone, Copy)]
enum Payload<'a> {
    Small(&'a GenericBinaryArray<i32>),
    Large(&'a GenericBinaryArray<i64>),
    Text(Text<'a>),
}

impl<'a> Payload<'a> {
    fn of(column: &'a dyn Array) -> Option<Self> {
        match column.data_type() {
            DataType::Binary => Some(Payload::Small(column.as_binary::<i32>())),
            DataType::LargeBinary => Some(Payload::Large(column.as_binary::<i64>())),
            _ => Text::of(column).map(Payload::Text),
        }
    }

    /// The row's bytes; null is empty (Pub/Sub has no null data).
    fn get(self, i: usize) -> &'a [u8] {
        let value = match self {
            Payload::Small(a) => a.is_valid(i).then(|| a.value(i)),
            Payload::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Payload::Text(t) => t.get(i).map(str::as_bytes),
        };
        value.unwrap_or_default()
    }
}

/// The attributes column: Map<Utf8, Utf8>.
struct Attributes<'a> {
    map: &'a MapArray,
    keys: Text<'a>,
    values: Text<'a>,
}

/// One validated row, borrowing the imported array.
#[derive(Debug)]
pub struct Row<'a> {
    pub topic: &'a str,
    pub ordering_key: &'a str,
    data: &'a [u8],
    /// Entries of the attributes map (empty when the map is null).
    attributes: Range<usize>,
    /// Size of the encoded `PubsubMessage`.
    pub encoded_len: usize,
}

/// The columns of one imported array, found by name.
pub struct Rows<'a> {
    len: usize,
    default_topic: Option<&'a str>,
    payload: Payload<'a>,
    attributes: Option<Attributes<'a>>,
    ordering_key: Option<Text<'a>>,
    topic: Option<Text<'a>>,
}

fn column_type_error(name: &str, found: &DataType, expected: &str) -> String {
    format!("column '{name}' has Arrow type {found}, expected {expected}")
}

fn text_column<'a>(array: &'a StructArray, name: &str) -> Result<Option<Text<'a>>, String> {
    match array.column_by_name(name) {
        None => Ok(None),
        Some(column) => Text::of(column.as_ref())
            .map(Some)
            .ok_or_else(|| column_type_error(name, column.data_type(), "Utf8 (STRING)")),
    }
}

fn attributes_column(array: &StructArray) -> Result<Option<Attributes<'_>>, String> {
    const EXPECTED: &str = "Map<Utf8, Utf8> (MAP<STRING,STRING>)";
    let Some(column) = array.column_by_name("attributes") else {
        return Ok(None);
    };
    let type_error = || column_type_error("attributes", column.data_type(), EXPECTED);
    let map = column.as_map_opt().ok_or_else(type_error)?;
    let keys = Text::of(map.keys().as_ref()).ok_or_else(type_error)?;
    let values = Text::of(map.values().as_ref()).ok_or_else(type_error)?;
    Ok(Some(Attributes { map, keys, values }))
}

impl<'a> Rows<'a> {
    /// Finds the columns; `payload` is required, the others optional.
    /// `default_topic` is not checked again: the publisher's config did.
    pub fn new(array: &'a StructArray, default_topic: Option<&'a str>) -> Result<Self, String> {
        let payload = array.column_by_name("payload").ok_or_else(|| {
            let names: Vec<&str> = array.column_names();
            format!("the sink needs a 'payload' column (BINARY or STRING); columns are {names:?}")
        })?;
        let payload = Payload::of(payload.as_ref())
            .ok_or_else(|| column_type_error("payload", payload.data_type(), "Binary or Utf8"))?;
        Ok(Rows {
            len: array.len(),
            default_topic,
            payload,
            attributes: attributes_column(array)?,
            ordering_key: text_column(array, "ordering_key")?,
            topic: text_column(array, "topic")?,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads and checks row `i`; the error says what is wrong and which limit applies.
    pub fn row(&self, i: usize) -> Result<Row<'a>, String> {
        let topic = match self.topic.and_then(|t| t.get(i)) {
            Some(topic) if is_topic_name(topic) => topic,
            Some(topic) => {
                return Err(format!(
                    "topic '{topic}' is not of the form projects/<project>/topics/<name>"
                ))
            }
            None => self.default_topic.ok_or_else(|| {
                "its topic is null and no default topic is configured \
                 (set topicId or give the row a topic)"
                    .to_string()
            })?,
        };
        let ordering_key = self.ordering_key.and_then(|k| k.get(i)).unwrap_or_default();
        if ordering_key.len() > MAX_ORDERING_KEY_BYTES {
            return Err(format!(
                "ordering_key of {} bytes exceeds Pub/Sub's limit of {MAX_ORDERING_KEY_BYTES} bytes (topic '{topic}')",
                ordering_key.len()
            ));
        }
        let data = self.payload.get(i);
        let (attributes, attributes_len) = self.attributes_of(i, topic)?;
        if data.is_empty() && attributes.is_empty() {
            return Err(format!(
                "Pub/Sub rejects a message with neither data nor attributes: the payload \
                 is null or empty and there are no attributes (topic '{topic}')"
            ));
        }
        let encoded_len = optional_field_len(data.len())
            + attributes_len
            + optional_field_len(ordering_key.len());
        if encoded_len > MAX_MESSAGE_BYTES {
            return Err(format!(
                "the message is {encoded_len} bytes (data + attributes + ordering key), over \
                 Pub/Sub's limit of {MAX_MESSAGE_BYTES} bytes (topic '{topic}')"
            ));
        }
        Ok(Row {
            topic,
            ordering_key,
            data,
            attributes,
            encoded_len,
        })
    }

    /// The row's map entries and their encoded size, checked against the limits.
    fn attributes_of(&self, i: usize, topic: &str) -> Result<(Range<usize>, usize), String> {
        let Some(attrs) = &self.attributes else {
            return Ok((0..0, 0));
        };
        if attrs.map.is_null(i) {
            return Ok((0..0, 0));
        }
        let offsets = attrs.map.value_offsets();
        let range = offsets[i] as usize..offsets[i + 1] as usize;
        if range.len() > MAX_ATTRIBUTES {
            return Err(format!(
                "{} attributes exceed Pub/Sub's limit of {MAX_ATTRIBUTES} per message (topic '{topic}')",
                range.len()
            ));
        }
        let mut encoded = 0;
        for entry in range.clone() {
            let key = attrs
                .keys
                .get(entry)
                .filter(|k| !k.is_empty())
                .ok_or_else(|| format!("an attribute key is null or empty (topic '{topic}')"))?;
            if key.len() > MAX_ATTRIBUTE_KEY_BYTES {
                return Err(format!(
                    "attribute key '{}...' of {} bytes exceeds Pub/Sub's limit of {MAX_ATTRIBUTE_KEY_BYTES} bytes (topic '{topic}')",
                    prefix(key),
                    key.len()
                ));
            }
            let value = attrs.values.get(entry).ok_or_else(|| {
                format!("attribute '{key}' has a null value; Pub/Sub attribute values are strings (topic '{topic}')")
            })?;
            if value.len() > MAX_ATTRIBUTE_VALUE_BYTES {
                return Err(format!(
                    "attribute '{key}' has a value of {} bytes, over Pub/Sub's limit of {MAX_ATTRIBUTE_VALUE_BYTES} bytes (topic '{topic}')",
                    value.len()
                ));
            }
            encoded += field_len(entry_len(key, value));
        }
        Ok((range, encoded))
    }

    /// Writes the row as an encoded `PubsubMessage` of `row.encoded_len` bytes.
    pub fn encode(&self, row: &Row<'_>, buf: &mut BytesMut) {
        if !row.data.is_empty() {
            put_bytes_field(buf, DATA, row.data);
        }
        if let Some(attrs) = &self.attributes {
            for entry in row.attributes.clone() {
                // Validated in `row`: neither is null.
                let key = attrs.keys.get(entry).unwrap_or_default();
                let value = attrs.values.get(entry).unwrap_or_default();
                crate::protobuf_write::put_header(buf, ATTRIBUTES, entry_len(key, value));
                put_bytes_field(buf, ENTRY_KEY, key.as_bytes());
                if !value.is_empty() {
                    put_bytes_field(buf, ENTRY_VALUE, value.as_bytes());
                }
            }
        }
        if !row.ordering_key.is_empty() {
            put_bytes_field(buf, ORDERING_KEY, row.ordering_key.as_bytes());
        }
    }
}

/// A proto3 string/bytes field is omitted when empty.
fn optional_field_len(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        field_len(len)
    }
}

fn entry_len(key: &str, value: &str) -> usize {
    field_len(key.len()) + optional_field_len(value.len())
}

/// The first few characters of a long key, for an error message.
fn prefix(key: &str) -> &str {
    let mut end = 32.min(key.len());
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    &key[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::google::pubsub::v1::PubsubMessage;
    use arrow_array::builder::{MapBuilder, StringBuilder};
    use arrow_array::{ArrayRef, BinaryArray, Int32Array, StringArray};
    use arrow_schema::Field;
    use prost::Message;
    use std::sync::Arc;

    const TOPIC: &str = "projects/p/topics/t";

    /// One row's attributes: None is a null map; a None value is a null value.
    type Attrs<'a> = Option<Vec<(&'a str, Option<&'a str>)>>;

    fn map_column(rows: &[Attrs<'_>]) -> MapArray {
        let mut builder = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        for row in rows {
            match row {
                Some(entries) => {
                    for (k, v) in entries {
                        builder.keys().append_value(k);
                        builder.values().append_option(*v);
                    }
                    builder.append(true).unwrap();
                }
                None => builder.append(false).unwrap(),
            }
        }
        builder.finish()
    }

    fn array(columns: Vec<(&str, ArrayRef)>) -> StructArray {
        StructArray::from(
            columns
                .into_iter()
                .map(|(name, column)| {
                    (
                        Arc::new(Field::new(name, column.data_type().clone(), true)),
                        column,
                    )
                })
                .collect::<Vec<_>>(),
        )
    }

    fn payloads(values: Vec<Option<&[u8]>>) -> (&'static str, ArrayRef) {
        ("payload", Arc::new(BinaryArray::from(values)))
    }

    fn attributes(rows: &[Attrs<'_>]) -> (&'static str, ArrayRef) {
        ("attributes", Arc::new(map_column(rows)))
    }

    fn strings(name: &'static str, values: Vec<Option<&str>>) -> (&'static str, ArrayRef) {
        (name, Arc::new(StringArray::from(values)))
    }

    fn row_error(array: &StructArray, i: usize) -> String {
        Rows::new(array, Some(TOPIC)).unwrap().row(i).unwrap_err()
    }

    fn decode(rows: &Rows<'_>, i: usize) -> PubsubMessage {
        let row = rows.row(i).unwrap();
        let mut buf = BytesMut::new();
        rows.encode(&row, &mut buf);
        assert_eq!(buf.len(), row.encoded_len, "encoded_len of row {i}");
        PubsubMessage::decode(buf.freeze()).unwrap()
    }

    #[test]
    fn rows_encode_to_the_pubsub_message_prost_decodes() {
        let array = array(vec![
            payloads(vec![Some(b"hello"), None, Some(&[0u8; 300])]),
            attributes(&[
                Some(vec![("a", Some("1")), ("b", Some(""))]),
                Some(vec![("only", Some("attrs"))]),
                None,
            ]),
            strings("ordering_key", vec![Some("k"), Some(""), None]),
        ]);
        let rows = Rows::new(&array, Some(TOPIC)).unwrap();
        let first = decode(&rows, 0);
        assert_eq!(&first.data[..], b"hello");
        assert_eq!(first.attributes.len(), 2);
        assert_eq!(first.attributes["a"], "1");
        assert_eq!(first.attributes["b"], "");
        assert_eq!(first.ordering_key, "k");
        let second = decode(&rows, 1);
        assert!(second.data.is_empty(), "null payload is empty data");
        assert_eq!(second.attributes["only"], "attrs");
        assert_eq!(second.ordering_key, "", "empty ordering key is no key");
        let third = decode(&rows, 2);
        assert_eq!(third.data.len(), 300);
        assert!(third.attributes.is_empty());
        assert_eq!(rows.row(2).unwrap().topic, TOPIC);
    }

    #[test]
    fn empty_payload_needs_an_attribute() {
        let array = array(vec![
            payloads(vec![Some(b""), None, Some(b""), None]),
            attributes(&[
                Some(vec![("k", Some("v"))]),
                Some(vec![("k", Some("v"))]),
                Some(vec![]),
                None,
            ]),
        ]);
        let rows = Rows::new(&array, Some(TOPIC)).unwrap();
        assert!(rows.row(0).is_ok(), "0 bytes with an attribute");
        assert!(rows.row(1).is_ok(), "null payload with an attribute");
        for i in [2, 3] {
            let err = rows.row(i).unwrap_err();
            assert!(err.contains("neither data nor attributes"), "{err}");
            assert!(err.contains(TOPIC), "{err}");
        }
        let only_payload = array_with_payload_only(vec![Some(b"")]);
        let err = row_error(&only_payload, 0);
        assert!(err.contains("neither data nor attributes"), "{err}");
    }

    fn array_with_payload_only(values: Vec<Option<&[u8]>>) -> StructArray {
        array(vec![payloads(values)])
    }

    #[test]
    fn attribute_limits_name_the_limit_and_the_key() {
        let many: Vec<(String, String)> = (0..101).map(|i| (format!("k{i}"), "v".into())).collect();
        let many: Vec<(&str, Option<&str>)> = many
            .iter()
            .map(|(k, v)| (k.as_str(), Some(v.as_str())))
            .collect();
        let hundred = many[..100].to_vec();
        let long_key = "k".repeat(257);
        let long_value = "v".repeat(1025);
        let array = array(vec![
            payloads(vec![Some(b"x"); 6]),
            attributes(&[
                Some(many),
                Some(hundred),
                Some(vec![("color", None)]),
                Some(vec![(long_key.as_str(), Some("v"))]),
                Some(vec![("big", Some(long_value.as_str()))]),
                Some(vec![("", Some("v"))]),
            ]),
        ]);
        let err = row_error(&array, 0);
        assert!(
            err.contains("101 attributes exceed Pub/Sub's limit of 100"),
            "{err}"
        );
        assert!(
            Rows::new(&array, Some(TOPIC)).unwrap().row(1).is_ok(),
            "100 is allowed"
        );
        let err = row_error(&array, 2);
        assert!(err.contains("attribute 'color' has a null value"), "{err}");
        let err = row_error(&array, 3);
        assert!(
            err.contains("257 bytes exceeds Pub/Sub's limit of 256"),
            "{err}"
        );
        let err = row_error(&array, 4);
        assert!(
            err.contains("attribute 'big' has a value of 1025 bytes"),
            "{err}"
        );
        assert!(err.contains("limit of 1024"), "{err}");
        let err = row_error(&array, 5);
        assert!(err.contains("attribute key is null or empty"), "{err}");
    }

    #[test]
    fn message_size_and_ordering_key_limits_are_enforced_at_their_bounds() {
        // data field of n bytes costs 1 + varint(n) + n; 10,000,000 needs a 4-byte varint.
        let max_data = vec![1u8; MAX_MESSAGE_BYTES - 5];
        let over_data = vec![1u8; MAX_MESSAGE_BYTES - 4];
        let key_ok = "k".repeat(1024);
        let key_long = "k".repeat(1025);
        let array = array(vec![
            payloads(vec![
                Some(&max_data),
                Some(&over_data),
                Some(b"x"),
                Some(b"x"),
            ]),
            strings(
                "ordering_key",
                vec![None, None, Some(&key_ok), Some(&key_long)],
            ),
        ]);
        let rows = Rows::new(&array, Some(TOPIC)).unwrap();
        assert_eq!(rows.row(0).unwrap().encoded_len, MAX_MESSAGE_BYTES);
        let err = rows.row(1).unwrap_err();
        assert!(err.contains("10000001 bytes"), "{err}");
        assert!(err.contains("limit of 10000000 bytes"), "{err}");
        assert!(rows.row(2).is_ok());
        let err = rows.row(3).unwrap_err();
        assert!(
            err.contains("ordering_key of 1025 bytes exceeds Pub/Sub's limit of 1024"),
            "{err}"
        );
    }

    #[test]
    fn row_topics_fall_back_to_the_default_and_must_be_well_formed() {
        let array = array(vec![
            payloads(vec![Some(b"x"); 3]),
            strings(
                "topic",
                vec![Some("projects/q/topics/u"), None, Some("topics/u")],
            ),
        ]);
        let rows = Rows::new(&array, Some(TOPIC)).unwrap();
        assert_eq!(rows.row(0).unwrap().topic, "projects/q/topics/u");
        assert_eq!(rows.row(1).unwrap().topic, TOPIC);
        let err = rows.row(2).unwrap_err();
        assert!(err.contains("topic 'topics/u' is not of the form"), "{err}");
        let without_default = Rows::new(&array, None).unwrap();
        let err = without_default.row(1).unwrap_err();
        assert!(err.contains("topic is null and no default topic"), "{err}");
    }

    #[test]
    fn missing_or_mistyped_columns_are_named() {
        let no_payload = array(vec![strings("data", vec![Some("x")])]);
        let err = Rows::new(&no_payload, Some(TOPIC)).err().unwrap();
        assert!(err.contains("needs a 'payload' column"), "{err}");
        assert!(err.contains("\"data\""), "{err}");
        let int_payload = array(vec![(
            "payload",
            Arc::new(Int32Array::from(vec![1])) as ArrayRef,
        )]);
        let err = Rows::new(&int_payload, Some(TOPIC)).err().unwrap();
        assert!(
            err.contains("column 'payload' has Arrow type Int32"),
            "{err}"
        );
        let int_key = array(vec![
            payloads(vec![Some(b"x")]),
            (
                "ordering_key",
                Arc::new(Int32Array::from(vec![1])) as ArrayRef,
            ),
        ]);
        let err = Rows::new(&int_key, Some(TOPIC)).err().unwrap();
        assert!(
            err.contains("column 'ordering_key' has Arrow type Int32, expected Utf8"),
            "{err}"
        );
        let string_payload = array(vec![strings("payload", vec![Some("text")])]);
        let rows = Rows::new(&string_payload, Some(TOPIC)).unwrap();
        assert_eq!(&decode(&rows, 0).data[..], b"text");
    }
}
