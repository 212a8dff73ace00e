//! The rows of one imported Arrow struct array: column lookup by name, the
//! per-row checks of Pub/Sub's limits, and the protobuf encoding of each row
//! as a `PubsubMessage`, written straight into a request buffer.

use crate::publish::config::is_topic_name;
use crate::publish::wire::{field_len, put_bytes_field};
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
        let topic = match self.topic.and_then(|t| t.get(i)).or(self.default_topic) {
            Some(topic) if is_topic_name(topic) => topic,
            Some(topic) => {
                return Err(format!(
                    "topic '{topic}' is not of the form projects/<project>/topics/<name>"
                ))
            }
            None => {
                return Err("its topic is null and no default topic is configured \
                            (set topicId or give the row a topic)"
                    .to_string())
            }
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
                crate::publish::wire::put_header(buf, ATTRIBUTES, entry_len(key, value));
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
