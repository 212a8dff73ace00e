//! Decodes pulled Pub/Sub messages into a fresh Arrow struct array of the raw
//! read schema (see docs/architecture.md, "Arrow layout of a raw batch").

use crate::proto::google::pubsub::v1::PubsubMessage;
use arrow_array::builder::{
    BinaryBuilder, Int32Builder, MapBuilder, MapFieldNames, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, StructArray};
use arrow_schema::{ArrowError, DataType, Field, Fields, TimeUnit};
use std::sync::Arc;

/// Variable-length bytes allowed in one batch, so 32-bit offsets always suffice.
pub const MAX_BATCH_VAR_BYTES: usize = 512 * 1024 * 1024;

const TIMEZONE: &str = "UTC";

/// One message taken off the stream, without its ack id (the reservoir keeps that).
#[derive(Debug, Clone)]
pub struct PulledMessage {
    pub message: PubsubMessage,
    pub delivery_attempt: i32,
}

impl PulledMessage {
    /// Bytes this message adds to the batch's variable-length buffers.
    pub fn var_len(&self) -> usize {
        let m = &self.message;
        let attributes: usize = m.attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
        m.data.len() + m.message_id.len() + m.ordering_key.len() + attributes
    }
}

fn map_names() -> MapFieldNames {
    // The names arrow-java and Spark's ArrowColumnVector use for map children.
    MapFieldNames {
        entry: "entries".to_string(),
        key: "key".to_string(),
        value: "value".to_string(),
    }
}

fn map_value_field() -> Field {
    Field::new("value", DataType::Utf8, false)
}

fn attributes_type() -> DataType {
    let names = map_names();
    let entries = Field::new(
        names.entry,
        DataType::Struct(Fields::from(vec![
            Field::new(names.key, DataType::Utf8, false),
            map_value_field(),
        ])),
        false,
    );
    DataType::Map(Arc::new(entries), false)
}

/// The raw read schema's fields, in column order.
pub fn raw_fields() -> Fields {
    Fields::from(vec![
        Field::new("message_id", DataType::Utf8, false),
        Field::new(
            "publish_time",
            DataType::Timestamp(TimeUnit::Microsecond, Some(TIMEZONE.into())),
            false,
        ),
        Field::new("attributes", attributes_type(), false),
        Field::new("payload", DataType::Binary, false),
        Field::new("ordering_key", DataType::Utf8, true),
        Field::new("delivery_attempt", DataType::Int32, true),
    ])
}

fn publish_micros(message: &PubsubMessage) -> i64 {
    message.publish_time.as_ref().map_or(0, |t| {
        t.seconds
            .saturating_mul(1_000_000)
            .saturating_add(i64::from(t.nanos / 1_000))
    })
}

/// Builds a new, unsliced struct array holding `messages` in order.
pub fn build_batch(messages: &[PulledMessage]) -> Result<StructArray, ArrowError> {
    let rows = messages.len();
    let sum =
        |f: fn(&PubsubMessage) -> usize| messages.iter().map(|m| f(&m.message)).sum::<usize>();

    let mut message_id = StringBuilder::with_capacity(rows, sum(|m| m.message_id.len()));
    let mut publish_time = TimestampMicrosecondBuilder::with_capacity(rows).with_timezone(TIMEZONE);
    let mut attributes = MapBuilder::new(
        Some(map_names()),
        StringBuilder::new(),
        StringBuilder::new(),
    )
    .with_values_field(map_value_field());
    let mut payload = BinaryBuilder::with_capacity(rows, sum(|m| m.data.len()));
    let mut ordering_key = StringBuilder::with_capacity(rows, sum(|m| m.ordering_key.len()));
    let mut delivery_attempt = Int32Builder::with_capacity(rows);

    for pulled in messages {
        let m = &pulled.message;
        message_id.append_value(&m.message_id);
        publish_time.append_value(publish_micros(m));
        for (key, value) in &m.attributes {
            attributes.keys().append_value(key);
            attributes.values().append_value(value);
        }
        attributes.append(true)?;
        payload.append_value(&m.data);
        if m.ordering_key.is_empty() {
            ordering_key.append_null();
        } else {
            ordering_key.append_value(&m.ordering_key);
        }
        if pulled.delivery_attempt == 0 {
            delivery_attempt.append_null();
        } else {
            delivery_attempt.append_value(pulled.delivery_attempt);
        }
    }

    let columns: Vec<ArrayRef> = vec![
        Arc::new(message_id.finish()),
        Arc::new(publish_time.finish()),
        Arc::new(attributes.finish()),
        Arc::new(payload.finish()),
        Arc::new(ordering_key.finish()),
        Arc::new(delivery_attempt.finish()),
    ];
    StructArray::try_new(raw_fields(), columns, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int32Type, TimestampMicrosecondType};
    use arrow_array::Array;
    use prost_types::Timestamp;

    fn message(id: &str, payload: Vec<u8>) -> PulledMessage {
        PulledMessage {
            message: PubsubMessage {
                data: payload.into(),
                message_id: id.to_string(),
                publish_time: Some(Timestamp {
                    seconds: 1_700_000_000,
                    nanos: 123_456_789,
                }),
                ..Default::default()
            },
            delivery_attempt: 0,
        }
    }

    #[test]
    fn every_column_has_the_documented_type_and_values() {
        let mut first = message("id-1", b"hello".to_vec());
        first.message.attributes.insert("k".into(), "v".into());
        first.message.ordering_key = "key-1".into();
        first.delivery_attempt = 3;
        let batch = build_batch(&[first]).unwrap();

        assert_eq!(batch.fields(), &raw_fields());
        assert_eq!(batch.len(), 1);
        assert_eq!(batch.column(0).as_string::<i32>().value(0), "id-1");
        let ts = batch.column(1).as_primitive::<TimestampMicrosecondType>();
        assert_eq!(ts.value(0), 1_700_000_000_123_456);
        assert_eq!(ts.timezone(), Some("UTC"));
        let attrs = batch.column(2).as_map();
        let entries = attrs.value(0);
        assert_eq!(entries.column(0).as_string::<i32>().value(0), "k");
        assert_eq!(entries.column(1).as_string::<i32>().value(0), "v");
        assert_eq!(batch.column(3).as_binary::<i32>().value(0), b"hello");
        assert_eq!(batch.column(4).as_string::<i32>().value(0), "key-1");
        assert_eq!(batch.column(5).as_primitive::<Int32Type>().value(0), 3);
        for column in batch.columns() {
            assert_eq!(column.null_count(), 0);
            assert_eq!(column.offset(), 0);
        }
    }

    #[test]
    fn missing_ordering_key_and_delivery_attempt_are_null() {
        let batch = build_batch(&[message("a", vec![1])]).unwrap();
        assert!(batch.column(4).is_null(0));
        assert!(batch.column(5).is_null(0));
        assert!(batch.column(0).is_valid(0));
    }

    #[test]
    fn no_attributes_is_an_empty_map_not_a_null() {
        let batch = build_batch(&[message("a", vec![]), message("b", vec![])]).unwrap();
        let attrs = batch.column(2).as_map();
        assert_eq!(attrs.null_count(), 0);
        assert_eq!(attrs.value_length(0), 0);
        assert_eq!(attrs.value_length(1), 0);
    }

    #[test]
    fn zero_byte_and_ten_megabyte_payloads_round_trip() {
        let big = vec![0xAB; 10 * 1024 * 1024];
        let batch = build_batch(&[message("a", vec![]), message("b", big.clone())]).unwrap();
        let payload = batch.column(3).as_binary::<i32>();
        assert_eq!(payload.value(0), b"");
        assert!(payload.is_valid(0));
        assert_eq!(payload.value(1), big.as_slice());
    }

    #[test]
    fn an_empty_input_builds_an_empty_batch_with_the_schema() {
        let batch = build_batch(&[]).unwrap();
        assert_eq!(batch.len(), 0);
        assert_eq!(batch.fields(), &raw_fields());
    }

    #[test]
    fn var_len_counts_every_variable_length_field() {
        let mut m = message("abc", vec![0; 10]);
        m.message.ordering_key = "ok".into();
        m.message.attributes.insert("key".into(), "value".into());
        assert_eq!(m.var_len(), 10 + 3 + 2 + 8);
    }
}
