//! Builds the Arrow struct array of the raw read schema (see
//! docs/architecture.md, "Arrow layout of a raw batch") row by row, straight
//! from the response buffer: each value is copied once, into column buffers
//! that become the array's buffers without another copy.

use arrow_array::{Array, StructArray};
use arrow_buffer::{BooleanBuffer, Buffer};
use arrow_data::transform::MutableArrayData;
use arrow_data::ArrayData;
use arrow_schema::{ArrowError, DataType, Field, Fields, TimeUnit};
use std::sync::Arc;

/// Variable-length bytes allowed in one batch, so 32-bit offsets always suffice.
pub const MAX_BATCH_VAR_BYTES: usize = 512 * 1024 * 1024;

/// At most this many payload bytes are reserved ahead for a batch being filled.
const MAX_PAYLOAD_RESERVE: usize = 16 * 1024 * 1024;

const TIMEZONE: &str = "UTC";

// The names arrow-java and Spark's ArrowColumnVector use for map children.
const MAP_ENTRIES: &str = "entries";
const MAP_KEY: &str = "key";
const MAP_VALUE: &str = "value";

fn entry_fields() -> Fields {
    Fields::from(vec![
        Field::new(MAP_KEY, DataType::Utf8, false),
        Field::new(MAP_VALUE, DataType::Utf8, false),
    ])
}

fn attributes_type() -> DataType {
    let entries = Field::new(MAP_ENTRIES, DataType::Struct(entry_fields()), false);
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

/// One message's scalar and variable-length fields, borrowed from the response.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RawRow<'a> {
    pub message_id: &'a str,
    /// Microseconds since the epoch; 0 when the message has no publish time.
    pub publish_micros: i64,
    pub payload: &'a [u8],
    /// Empty when the message has no ordering key (the column holds null).
    pub ordering_key: &'a str,
    /// 0 unless the subscription has a dead-letter policy (the column holds null).
    pub delivery_attempt: i32,
}

impl RawRow<'_> {
    /// Bytes this row adds to the variable-length buffers, attributes aside.
    pub fn var_len(&self) -> usize {
        self.message_id.len() + self.payload.len() + self.ordering_key.len()
    }
}

/// Offsets and values of a variable-length column.
struct VarColumn {
    offsets: Vec<i32>,
    values: Vec<u8>,
}

impl VarColumn {
    fn with_capacity(rows: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        VarColumn {
            offsets,
            values: Vec::with_capacity(bytes),
        }
    }

    fn push(&mut self, value: &[u8]) {
        self.values.extend_from_slice(value);
        // A batch holds at most 512 MiB of values; a wrapped offset would fail
        // the validation in `finish`.
        self.offsets.push(self.values.len() as i32);
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn truncate(&mut self, len: usize) {
        self.offsets.truncate(len + 1);
        let end = self.offsets.last().copied().unwrap_or(0);
        self.values.truncate(usize::try_from(end).unwrap_or(0));
    }

    fn into_data(
        self,
        data_type: DataType,
        nulls: Option<Buffer>,
    ) -> Result<ArrayData, ArrowError> {
        let len = self.len();
        let mut values = self.values;
        // A batch cut before it filled would keep its reserve (up to 16 MiB)
        // for as long as its read is recorded, i.e. until its batch commits.
        if values.capacity() / 2 > values.len() {
            values.shrink_to_fit();
        }
        let buffers = vec![Buffer::from_vec(self.offsets), Buffer::from_vec(values)];
        ArrayData::try_new(data_type, len, nulls, 0, buffers, vec![])
    }
}

/// A validity bitmap with a bit per row, or none when every row is valid.
fn validity(len: usize, valid: impl FnMut(usize) -> bool) -> Option<Buffer> {
    let bits = BooleanBuffer::collect_bool(len, valid);
    (bits.count_set_bits() < len).then(|| bits.into_inner())
}

/// The columns of a raw batch being filled, one row per message.
pub struct RawBatchBuilder {
    message_id: VarColumn,
    publish_time: Vec<i64>,
    /// Entry offsets per row; entries past the last are pending for the next row.
    attribute_offsets: Vec<i32>,
    attribute_keys: VarColumn,
    attribute_values: VarColumn,
    payload: VarColumn,
    ordering_key: VarColumn,
    delivery_attempt: Vec<i32>,
}

impl Default for RawBatchBuilder {
    fn default() -> Self {
        RawBatchBuilder::with_capacity(0, 0, 0)
    }
}

impl RawBatchBuilder {
    fn with_capacity(rows: usize, payload: usize, short_bytes: usize) -> Self {
        let mut attribute_offsets = Vec::with_capacity(rows + 1);
        attribute_offsets.push(0);
        RawBatchBuilder {
            message_id: VarColumn::with_capacity(rows, short_bytes),
            publish_time: Vec::with_capacity(rows),
            attribute_offsets,
            attribute_keys: VarColumn::with_capacity(rows, short_bytes),
            attribute_values: VarColumn::with_capacity(rows, short_bytes),
            payload: VarColumn::with_capacity(rows, payload),
            ordering_key: VarColumn::with_capacity(rows, 0),
            delivery_attempt: Vec::with_capacity(rows),
        }
    }

    /// An empty builder with room for `rows` rows like the ones held now, so
    /// that filling it does not copy its buffers again as they grow.
    pub fn sized_for(&self, rows: usize) -> RawBatchBuilder {
        let scale = |bytes: usize| match self.rows() {
            0 => 0,
            held => bytes.saturating_mul(rows) / held,
        };
        let payload = scale(self.payload.values.len()).min(MAX_PAYLOAD_RESERVE);
        let short = scale(self.message_id.values.len());
        RawBatchBuilder::with_capacity(rows, payload, short)
    }

    pub fn rows(&self) -> usize {
        self.publish_time.len()
    }

    /// Bytes in the variable-length buffers, pending attributes included.
    pub fn var_bytes(&self) -> usize {
        self.message_id.values.len()
            + self.attribute_keys.values.len()
            + self.attribute_values.values.len()
            + self.payload.values.len()
            + self.ordering_key.values.len()
    }

    /// Adds an attribute to the row that the next `push_row` completes.
    pub fn push_attribute(&mut self, key: &str, value: &str) {
        self.attribute_keys.push(key.as_bytes());
        self.attribute_values.push(value.as_bytes());
    }

    /// Drops the attributes pushed since the last `push_row`.
    pub fn discard_attributes(&mut self) {
        let entries = self.attribute_offsets.last().copied().unwrap_or(0);
        let entries = usize::try_from(entries).unwrap_or(0);
        self.attribute_keys.truncate(entries);
        self.attribute_values.truncate(entries);
    }

    /// Completes a row with the attributes pushed since the last row.
    pub fn push_row(&mut self, row: &RawRow<'_>) {
        self.message_id.push(row.message_id.as_bytes());
        self.publish_time.push(row.publish_micros);
        self.attribute_offsets
            .push(self.attribute_keys.len() as i32);
        self.payload.push(row.payload);
        self.ordering_key.push(row.ordering_key.as_bytes());
        self.delivery_attempt.push(row.delivery_attempt);
    }

    /// The finished, unsliced struct array of every completed row.
    pub fn finish(self) -> Result<StructArray, ArrowError> {
        let rows = self.rows();
        let ordering = &self.ordering_key.offsets;
        let ordering_nulls = validity(rows, |i| ordering[i + 1] > ordering[i]);
        let attempts = &self.delivery_attempt;
        let attempt_nulls = validity(rows, |i| attempts[i] != 0);

        let entries = ArrayData::try_new(
            DataType::Struct(entry_fields()),
            self.attribute_keys.len(),
            None,
            0,
            vec![],
            vec![
                self.attribute_keys.into_data(DataType::Utf8, None)?,
                self.attribute_values.into_data(DataType::Utf8, None)?,
            ],
        )?;
        let attributes = ArrayData::try_new(
            attributes_type(),
            rows,
            None,
            0,
            vec![Buffer::from_vec(self.attribute_offsets)],
            vec![entries],
        )?;
        let fields = raw_fields();
        let publish_time = ArrayData::try_new(
            fields[1].data_type().clone(),
            rows,
            None,
            0,
            vec![Buffer::from_vec(self.publish_time)],
            vec![],
        )?;
        let delivery_attempt = ArrayData::try_new(
            DataType::Int32,
            rows,
            attempt_nulls,
            0,
            vec![Buffer::from_vec(self.delivery_attempt)],
            vec![],
        )?;
        let columns = vec![
            self.message_id.into_data(DataType::Utf8, None)?,
            publish_time,
            attributes,
            self.payload.into_data(DataType::Binary, None)?,
            self.ordering_key
                .into_data(DataType::Utf8, ordering_nulls)?,
            delivery_attempt,
        ];
        let data = ArrayData::try_new(DataType::Struct(fields), rows, None, 0, vec![], columns)?;
        Ok(StructArray::from(data))
    }
}

/// Copies rows `start..end` of `batch` into a fresh, unsliced struct array
/// (arrow-java rejects arrays with an offset). The rare path of a fetch that
/// may take less than a finished batch holds.
pub fn copy_rows(batch: &StructArray, start: usize, end: usize) -> Result<StructArray, ArrowError> {
    let data = batch.to_data();
    let mut copy = MutableArrayData::new(vec![&data], false, end.saturating_sub(start));
    copy.try_extend(0, start, end)?;
    Ok(StructArray::from(copy.freeze()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int32Type, TimestampMicrosecondType};

    fn row<'a>(id: &'a str, payload: &'a [u8]) -> RawRow<'a> {
        RawRow {
            message_id: id,
            publish_micros: 1_700_000_000_123_456,
            payload,
            ..Default::default()
        }
    }

    fn build(rows: &[RawRow<'_>]) -> StructArray {
        let mut b = RawBatchBuilder::default();
        for r in rows {
            b.push_row(r);
        }
        b.finish().unwrap()
    }

    #[test]
    fn every_column_has_the_documented_type_and_values() {
        let mut b = RawBatchBuilder::default();
        b.push_attribute("k", "v");
        b.push_row(&RawRow {
            ordering_key: "key-1",
            delivery_attempt: 3,
            ..row("id-1", b"hello")
        });
        let batch = b.finish().unwrap();

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
        let batch = build(&[
            row("a", &[1]),
            RawRow {
                ordering_key: "k",
                ..row("b", &[])
            },
        ]);
        assert!(batch.column(4).is_null(0));
        assert!(batch.column(4).is_valid(1));
        assert!(batch.column(5).is_null(0));
        assert!(batch.column(0).is_valid(0));
    }

    #[test]
    fn attributes_belong_to_the_row_pushed_after_them() {
        let mut b = RawBatchBuilder::default();
        b.push_row(&row("a", b""));
        b.push_attribute("x", "1");
        b.push_attribute("y", "2");
        b.push_row(&row("b", b""));
        b.push_attribute("dropped", "3");
        b.discard_attributes();
        b.push_row(&row("c", b""));
        let batch = b.finish().unwrap();
        let attrs = batch.column(2).as_map();
        assert_eq!(attrs.null_count(), 0);
        assert_eq!(attrs.value_length(0), 0, "no attributes is an empty map");
        assert_eq!(attrs.value_length(1), 2);
        assert_eq!(attrs.value_length(2), 0);
        assert_eq!(attrs.value(1).column(0).as_string::<i32>().value(1), "y");
    }

    #[test]
    fn zero_byte_and_ten_megabyte_payloads_round_trip() {
        let big: &'static [u8] = Box::leak(vec![0xAB; 10 * 1024 * 1024].into_boxed_slice());
        let batch = build(&[row("a", b""), row("b", big)]);
        let payload = batch.column(3).as_binary::<i32>();
        assert_eq!(payload.value(0), b"");
        assert!(payload.is_valid(0));
        assert_eq!(payload.value(1), big);
    }

    #[test]
    fn an_empty_builder_builds_an_empty_batch_with_the_schema() {
        let batch = RawBatchBuilder::default().finish().unwrap();
        assert_eq!(batch.len(), 0);
        assert_eq!(batch.fields(), &raw_fields());
    }

    #[test]
    fn copied_rows_form_a_fresh_unsliced_batch() {
        let batch = build(&[row("a", b"1"), row("b", b"22"), row("c", b"333")]);
        let copy = copy_rows(&batch, 1, 3).unwrap();
        assert_eq!(copy, build(&[row("b", b"22"), row("c", b"333")]));
        assert_eq!(copy.offset(), 0);
        for column in copy.columns() {
            assert_eq!(column.offset(), 0);
        }
    }

    #[test]
    fn a_batch_cut_before_it_filled_gives_back_its_payload_reserve() {
        let mut full = RawBatchBuilder::default();
        full.push_row(&row("a", &[0; 1_000]));
        // Room for 1,000 rows of 1,000 payload bytes: about 1 MB reserved.
        let mut partial = full.sized_for(1_000);
        partial.push_row(&row("b", &[0; 1_000]));
        let batch = partial.finish().unwrap();
        assert!(batch.column(3).get_buffer_memory_size() < 10_000);
    }

    #[test]
    fn var_bytes_count_every_variable_length_buffer() {
        let mut b = RawBatchBuilder::default();
        b.push_attribute("key", "value");
        b.push_row(&RawRow {
            ordering_key: "ok",
            ..row("abc", &[0; 10])
        });
        assert_eq!(b.var_bytes(), 10 + 3 + 2 + 8);
        assert_eq!(b.sized_for(10).rows(), 0);
    }
}
