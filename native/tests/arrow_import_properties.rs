//! Property tests of the sink's Arrow import (`ffi::import::import_struct`, what
//! the JNI `publish` calls first): sink arrays exported through arrow-rs's C
//! Data Interface export, as Java's `exportVectorSchemaRoot` would hand them
//! over, then corrupted: header fields (lengths, offsets, counts, pointers,
//! null counts), offsets buffers, UTF-8, schemas that disagree with the array,
//! and columns of a type the sink cannot publish. Every corruption must be an
//! error that names what is wrong, never a panic or a read out of bounds.
//!
//! Each corrupt input stays inside the memory the export owns, so the test is
//! sound whatever the importer does with it: buffers are never made shorter
//! than what the header says (the C Data Interface carries no buffer sizes, so
//! a lying exporter cannot be caught), child counts only go down, and a length
//! only grows past the bound the importer rejects before it reads anything.
//!
//! 256 cases per property by default; `PROPTEST_CASES=20000 cargo test --release
//! --test arrow_import_properties` is the long run (see README.md).

mod common;

use arrow_array::builder::{Int32Builder, MapBuilder, StringBuilder};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Int32Array, Int64Array, StringArray, StructArray,
};
use arrow_buffer::Buffer;
use arrow_data::ffi::FFI_ArrowArray;
use arrow_data::ArrayData;
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{DataType, Field, Fields};
use common::sink::{sink_array, SinkRow};
use proptest::prelude::*;
use proptest::sample::Index;
use pubsub_spark_native::error::NativeError;
use pubsub_spark_native::ffi::import::import_struct;
use pubsub_spark_native::publish::message::Rows;
use std::ffi::c_void;
use std::sync::Arc;

// ------------------------------------------------- export, patch and import

/// The C Data Interface's `ArrowArray` (arrow/c/abi.h): the layout of
/// arrow-rs's `FFI_ArrowArray`, whose fields are private, so that the test
/// can corrupt what an exporter wrote.
#[repr(C)]
struct RawArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut RawArray,
    dictionary: *mut RawArray,
    release: Option<unsafe extern "C" fn(*mut RawArray)>,
    private_data: *mut c_void,
}

const _: () = assert!(std::mem::size_of::<RawArray>() == std::mem::size_of::<FFI_ArrowArray>());

/// An exported array and schema in C Data structs, as Java hands them over.
struct Exported {
    array: Box<FFI_ArrowArray>,
    schema: Box<FFI_ArrowSchema>,
}

impl Exported {
    fn new(data: &ArrayData) -> Exported {
        Exported::with_schema(data, data.data_type())
    }

    /// The array of `data` with the schema of `schema_type`.
    fn with_schema(data: &ArrayData, schema_type: &DataType) -> Exported {
        Exported {
            array: Box::new(FFI_ArrowArray::new(data)),
            schema: Box::new(FFI_ArrowSchema::try_from(schema_type).expect("a schema")),
        }
    }

    /// The exported node at `path` (child indices from the struct array).
    fn node(&mut self, path: &[usize]) -> &mut RawArray {
        let top: *mut FFI_ArrowArray = &mut *self.array;
        // SAFETY: `FFI_ArrowArray` is `#[repr(C)]` with the fields `RawArray`
        // declares, in the same order (and of the same size, checked above);
        // the box is this test's alone.
        let mut node = unsafe { &mut *top.cast::<RawArray>() };
        for &i in path {
            assert!(
                i < node.n_children as usize,
                "path {path:?} leaves the tree"
            );
            // SAFETY: arrow-rs's export points `children` at `n_children` live
            // boxed child structs owned by the parent's private data.
            node = unsafe { &mut **node.children.add(i) };
        }
        node
    }

    /// Points buffer `i` of the node at `path` at nothing. The export frees
    /// its buffers through its private data, not through these pointers.
    fn null_buffer(&mut self, path: &[usize], i: usize) {
        let node = self.node(path);
        assert!(i < node.n_buffers as usize);
        // SAFETY: `buffers` holds `n_buffers` pointers, owned by the export.
        unsafe { *node.buffers.add(i) = std::ptr::null() };
    }

    /// Imports as the JNI `publish` does; the structs are always taken.
    fn import(mut self) -> Result<StructArray, NativeError> {
        let result = import_struct(
            &mut *self.array as *mut FFI_ArrowArray as i64,
            &mut *self.schema as *mut FFI_ArrowSchema as i64,
        );
        assert!(self.array.is_released(), "the import took the array");
        result
    }
}

fn import_error(exported: Exported) -> String {
    match exported.import() {
        Ok(array) => panic!("imported a corrupt array: {array:?}"),
        Err(e) => e.to_string(),
    }
}

/// Case aside, `message` contains each of `words`.
fn assert_names(message: &str, words: &[&str]) {
    for word in words {
        assert!(
            message.to_lowercase().contains(&word.to_lowercase()),
            "the error does not name {word:?}: {message}"
        );
    }
}

// ------------------------------------------------------------------ the rows

/// The sink array's nodes: the struct, its columns and the map's children.
const STRUCT: &[usize] = &[];
const PAYLOAD: &[usize] = &[0];
const ATTRIBUTES: &[usize] = &[1];
const ENTRIES: &[usize] = &[1, 0];
const KEYS: &[usize] = &[1, 0, 0];
const VALUES: &[usize] = &[1, 0, 1];
const ORDERING_KEY: &[usize] = &[2];
const TOPIC: &[usize] = &[3];
const NODES: &[&[usize]] = &[
    STRUCT,
    PAYLOAD,
    ATTRIBUTES,
    ENTRIES,
    KEYS,
    VALUES,
    ORDERING_KEY,
    TOPIC,
];
/// Nodes with an offsets buffer (Binary, Utf8 and Map).
const WITH_OFFSETS: &[&[usize]] = &[PAYLOAD, ATTRIBUTES, KEYS, VALUES, ORDERING_KEY, TOPIC];
/// Nodes with children.
const WITH_CHILDREN: &[&[usize]] = &[STRUCT, ATTRIBUTES, ENTRIES];
/// Columns that hold nulls (the rows always include an all-null one).
const NULLABLE: &[&[usize]] = &[PAYLOAD, ATTRIBUTES, ORDERING_KEY, TOPIC];

/// The column a node belongs to, as error messages name it.
fn column_of(path: &[usize]) -> Option<&'static str> {
    let names = ["payload", "attributes", "ordering_key", "topic"];
    path.first().map(|&i| names[i])
}

fn sink_row() -> impl Strategy<Value = SinkRow> {
    let topic = prop_oneof![
        Just("projects/p/topics/t".to_string()),
        "[a-z/]{0,24}",
        "\\PC{0,8}",
    ];
    (
        prop::option::of(prop::collection::vec(any::<u8>(), 0..24)),
        prop::option::of(prop::collection::btree_map("\\PC{0,6}", "\\PC{0,6}", 0..3)),
        prop::option::of("\\PC{0,8}"),
        prop::option::of(topic),
    )
        .prop_map(|(payload, attributes, ordering_key, topic)| SinkRow {
            payload,
            attributes,
            ordering_key,
            topic,
        })
}

/// Random rows, then one with every column null and one with every column
/// set, so each column has nulls and values and the map has entries.
fn sink_rows() -> impl Strategy<Value = Vec<SinkRow>> {
    prop::collection::vec(sink_row(), 0..8).prop_map(|mut rows| {
        rows.push(SinkRow::default());
        rows.push(
            SinkRow::payload(b"data".to_vec())
                .attribute("k", "v")
                .ordering_key("o")
                .topic("projects/p/topics/t"),
        );
        rows
    })
}

fn sink_data(rows: &[SinkRow]) -> ArrayData {
    sink_array(rows).into_data()
}

// ------------------------------------------------------- rebuilding, unsafely

/// `data` with the node at `path` replaced by `replace(node)`. The result is
/// built unchecked: it is meant to be invalid, and only the importer checks.
fn replace_node(
    data: &ArrayData,
    path: &[usize],
    replace: &dyn Fn(&ArrayData) -> ArrayData,
) -> ArrayData {
    let Some((&first, rest)) = path.split_first() else {
        return replace(data);
    };
    let mut children = data.child_data().to_vec();
    children[first] = replace_node(&children[first], rest, replace);
    let builder = data.clone().into_builder().child_data(children);
    // SAFETY: the buffers are `data`'s own, each as long as its length needs;
    // only the replaced descendant's contents are invalid, which is what the
    // importer must find before it reads through them.
    unsafe { builder.build_unchecked() }
}

/// `data`, a node with an i32 offsets buffer, with its offsets replaced.
fn with_offsets(data: &ArrayData, offsets: Vec<i32>) -> ArrayData {
    let mut buffers = data.buffers().to_vec();
    assert_eq!(offsets.len(), data.len() + data.offset() + 1);
    buffers[0] = Buffer::from_vec(offsets);
    let builder = data.clone().into_builder().buffers(buffers);
    // SAFETY: the new offsets buffer holds `len + offset + 1` offsets, and the
    // values buffer (or child) is unchanged: an offset that does not fit it is
    // invalid content, which the importer must reject before reading values.
    unsafe { builder.build_unchecked() }
}

fn node_data<'a>(data: &'a ArrayData, path: &[usize]) -> &'a ArrayData {
    path.iter().fold(data, |node, &i| &node.child_data()[i])
}

fn offsets_of(data: &ArrayData) -> Vec<i32> {
    data.buffers()[0].typed_data::<i32>()[..data.len() + data.offset() + 1].to_vec()
}

// ----------------------------------------------------------- the corruptions

/// A corruption of the header fields the exporter writes.
#[derive(Debug, Clone)]
enum Header {
    NegativeLength(Index, i64),
    NegativeOffset(Index, i64),
    /// Past Java's limit of `i32::MAX` values, up to `i64::MAX`.
    HugeLength(Index, i64),
    HugeOffset(Index, i64),
    /// A column or map child shorter than its parent needs.
    ShorterChild(Index, Index),
    /// Any null count but the true one and -1 (unknown).
    NullCount(Index, i64),
    /// The validity buffer of a column with nulls left out.
    MissingValidity(Index),
    FewerBuffers(Index, i64),
    FewerChildren(Index, i64),
    NullBufferArray(Index),
    NullChildArray(Index),
    NullOffsets(Index),
}

fn header() -> impl Strategy<Value = Header> {
    let i = any::<Index>;
    prop_oneof![
        (i(), i64::MIN..0).prop_map(|(n, v)| Header::NegativeLength(n, v)),
        (i(), i64::MIN..0).prop_map(|(n, v)| Header::NegativeOffset(n, v)),
        (i(), (1i64 << 31)..=i64::MAX).prop_map(|(n, v)| Header::HugeLength(n, v)),
        (i(), (1i64 << 31)..=i64::MAX).prop_map(|(n, v)| Header::HugeOffset(n, v)),
        (i(), i()).prop_map(|(n, by)| Header::ShorterChild(n, by)),
        (i(), -100i64..100).prop_map(|(n, v)| Header::NullCount(n, v)),
        i().prop_map(Header::MissingValidity),
        (i(), -5i64..4).prop_map(|(n, v)| Header::FewerBuffers(n, v)),
        (i(), -5i64..4).prop_map(|(n, v)| Header::FewerChildren(n, v)),
        i().prop_map(Header::NullBufferArray),
        i().prop_map(Header::NullChildArray),
        i().prop_map(Header::NullOffsets),
    ]
}

fn pick<'a>(nodes: &[&'a [usize]], index: &Index) -> &'a [usize] {
    nodes[index.index(nodes.len())]
}

/// Applies `corruption`; returns the node it hit and words its error must name.
fn corrupt_header(exported: &mut Exported, corruption: &Header) -> (Vec<usize>, Vec<&'static str>) {
    let (path, words): (&[usize], Vec<&str>) = match corruption {
        Header::NegativeLength(n, v) | Header::HugeLength(n, v) => {
            let path = pick(NODES, n);
            exported.node(path).length = *v;
            (path, vec!["length"])
        }
        Header::NegativeOffset(n, v) | Header::HugeOffset(n, v) => {
            let path = pick(NODES, n);
            exported.node(path).offset = *v;
            (path, vec!["offset"])
        }
        Header::ShorterChild(n, by) => {
            let path = pick(&NODES[1..], n);
            let node = exported.node(path);
            node.length -= 1 + by.index(node.length as usize) as i64;
            // Unknown, so that the length is what disagrees, not the count.
            node.null_count = -1;
            (path, vec!["length"])
        }
        Header::NullCount(n, v) => {
            let path = pick(NODES, n);
            let node = exported.node(path);
            let wrong = if *v == node.null_count || *v == -1 {
                node.null_count + 1
            } else {
                *v
            };
            node.null_count = wrong;
            (path, vec!["null_count"])
        }
        Header::MissingValidity(n) => {
            let path = pick(NULLABLE, n);
            assert!(exported.node(path).null_count > 0);
            exported.null_buffer(path, 0);
            (path, vec!["validity"])
        }
        Header::FewerBuffers(n, v) => {
            let path = pick(NODES, n);
            let node = exported.node(path);
            node.n_buffers = if *v < 0 { *v } else { *v % node.n_buffers };
            (path, vec!["buffers"])
        }
        Header::FewerChildren(n, v) => {
            let path = pick(WITH_CHILDREN, n);
            let node = exported.node(path);
            node.n_children = if *v < 0 { *v } else { *v % node.n_children };
            (path, vec!["children"])
        }
        Header::NullBufferArray(n) => {
            let path = pick(NODES, n);
            exported.node(path).buffers = std::ptr::null_mut();
            (path, vec!["buffers"])
        }
        Header::NullChildArray(n) => {
            let path = pick(WITH_CHILDREN, n);
            exported.node(path).children = std::ptr::null_mut();
            (path, vec!["children"])
        }
        Header::NullOffsets(n) => {
            let path = pick(WITH_OFFSETS, n);
            exported.null_buffer(path, 1);
            (path, vec!["buffer", "null"])
        }
    };
    (path.to_vec(), words)
}

/// A corruption of an i32 offsets buffer that always makes it invalid.
#[derive(Debug, Clone)]
enum Offsets {
    /// An offset below the one before it.
    Decrease(Index),
    /// An offset (not the last) past the last one, i.e. past the values.
    PastTheEnd(Index, i32),
    NegativeFirst(i32),
    NegativeLast(i32),
    /// For the map: a last offset past its entries, whose length is explicit.
    PastTheEntries(i32),
}

fn offsets_corruption() -> impl Strategy<Value = Offsets> {
    prop_oneof![
        any::<Index>().prop_map(Offsets::Decrease),
        (any::<Index>(), 1..1_000i32).prop_map(|(i, by)| Offsets::PastTheEnd(i, by)),
        (i32::MIN..0).prop_map(Offsets::NegativeFirst),
        (i32::MIN..0).prop_map(Offsets::NegativeLast),
        (1..1_000i32).prop_map(Offsets::PastTheEntries),
    ]
}

/// Corrupts `offsets`; past the entries of a variable-length column (`is_map`
/// false), whose values are as long as its last offset says, is a first
/// offset past the last.
fn corrupt_offsets(offsets: &mut [i32], how: &Offsets, is_map: bool) {
    let n = offsets.len() - 1;
    match how {
        Offsets::Decrease(i) => {
            let i = 1 + i.index(n);
            offsets[i] = offsets[i - 1] - 1;
        }
        Offsets::PastTheEnd(i, by) => offsets[i.index(n)] = offsets[n] + by,
        Offsets::NegativeFirst(v) => offsets[0] = *v,
        Offsets::NegativeLast(v) | Offsets::PastTheEntries(v) if *v < 0 => offsets[n] = *v,
        Offsets::NegativeLast(_) => unreachable!("generated negative"),
        Offsets::PastTheEntries(by) if is_map => offsets[n] += by,
        Offsets::PastTheEntries(by) => offsets[0] = offsets[n] + by,
    }
}

/// How the schema disagrees with the array.
#[derive(Debug, Clone)]
enum Disagreement {
    /// The schema has a column the array does not.
    ExtraField,
    /// The schema lacks the array's last column.
    MissingField,
    /// The schema gives column `column` a type whose buffers or children
    /// differ from the array's (never one that needs longer buffers).
    ColumnType(Index, Index),
}

fn disagreement() -> impl Strategy<Value = Disagreement> {
    prop_oneof![
        Just(Disagreement::ExtraField),
        Just(Disagreement::MissingField),
        (any::<Index>(), any::<Index>()).prop_map(|(c, t)| Disagreement::ColumnType(c, t)),
    ]
}

fn utf8_list() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

/// Types that lay out buffers or children unlike a variable-length column.
fn unlike_var_len() -> Vec<DataType> {
    vec![
        DataType::Int32,
        DataType::Boolean,
        DataType::Null,
        DataType::Struct(Fields::empty()),
        utf8_list(),
    ]
}

/// Types that lay out buffers or children unlike a map.
fn unlike_map() -> Vec<DataType> {
    vec![
        DataType::Binary,
        DataType::Utf8,
        DataType::Int32,
        DataType::Null,
        DataType::Struct(Fields::empty()),
    ]
}

/// The struct type of `fields` with column `i` of type `data_type`.
fn with_column_type(fields: &Fields, i: usize, data_type: DataType) -> DataType {
    let mut fields: Vec<Field> = fields.iter().map(|f| f.as_ref().clone()).collect();
    fields[i] = fields[i].clone().with_data_type(data_type);
    DataType::Struct(fields.into())
}

fn fields_of(data: &ArrayData) -> Fields {
    match data.data_type() {
        DataType::Struct(fields) => fields.clone(),
        other => panic!("not a struct: {other}"),
    }
}

/// A column of `len` rows whose type the sink cannot publish in `column`.
fn wrong_sink_column(column: &str, len: usize, pick: &Index) -> ArrayRef {
    let int32: ArrayRef = Arc::new(Int32Array::from(vec![7; len]));
    let candidates: Vec<ArrayRef> = match column {
        "payload" => vec![
            int32,
            Arc::new(BooleanArray::from(vec![true; len])),
            Arc::new(Int64Array::from(vec![7; len])),
        ],
        "attributes" => {
            let mut int_values = MapBuilder::new(None, StringBuilder::new(), Int32Builder::new());
            let mut int_keys = MapBuilder::new(None, Int32Builder::new(), StringBuilder::new());
            for _ in 0..len {
                int_values.keys().append_value("k");
                int_values.values().append_value(1);
                int_values.append(true).expect("an entry");
                int_keys.keys().append_value(1);
                int_keys.values().append_value("v");
                int_keys.append(true).expect("an entry");
            }
            vec![
                Arc::new(int_values.finish()),
                Arc::new(int_keys.finish()),
                Arc::new(StringArray::from(vec!["k=v"; len])),
                int32,
            ]
        }
        _ => vec![
            Arc::new(BinaryArray::from(vec![&b"projects/p/topics/t"[..]; len])),
            Arc::new(Int64Array::from(vec![7; len])),
            int32,
        ],
    };
    candidates[pick.index(candidates.len())].clone()
}

/// `array` with column `i` replaced by `column`.
fn replace_column(array: &StructArray, i: usize, column: ArrayRef) -> StructArray {
    let (fields, mut columns, nulls) = array.clone().into_parts();
    let mut fields: Vec<Field> = fields.iter().map(|f| f.as_ref().clone()).collect();
    fields[i] = fields[i].clone().with_data_type(column.data_type().clone());
    columns[i] = column;
    StructArray::new(fields.into(), columns, nulls)
}

const DEFAULT_TOPIC: &str = "projects/p/topics/default";

/// Every row is read and checked; none may panic.
fn read_every_row(array: &StructArray) -> Result<usize, String> {
    let rows = Rows::new(array, Some(DEFAULT_TOPIC))?;
    Ok((0..rows.len()).filter(|&i| rows.row(i).is_ok()).count())
}

proptest! {
    #[test]
    fn a_valid_sink_array_imports_unchanged_and_every_row_is_checked_without_panic(
        rows in sink_rows(),
        slice in (any::<Index>(), any::<Index>()),
    ) {
        let array = sink_array(&rows);
        let imported = Exported::new(&array.to_data()).import();
        prop_assert_eq!(imported.as_ref().map_err(ToString::to_string), Ok(&array));
        let readable = read_every_row(&array);
        prop_assert!(readable.is_ok(), "{:?}", readable);
        // A sliced array (a non-zero offset) imports as the same slice. Not
        // an empty one: arrow-rs's import takes the values of an empty,
        // unsliced Binary array as empty and then rejects the slice's single
        // offset if it is not 0 (Java's empty vectors have offset 0).
        let start = slice.0.index(array.len());
        let len = 1 + slice.1.index(array.len() - start);
        let sliced = array.slice(start, len);
        let imported = Exported::new(&sliced.to_data()).import();
        prop_assert_eq!(imported.as_ref().map_err(ToString::to_string), Ok(&sliced));
    }

    #[test]
    fn a_corrupt_header_is_an_error_naming_the_field_and_column(
        rows in sink_rows(),
        corruption in header(),
    ) {
        let mut exported = Exported::new(&sink_data(&rows));
        let (path, mut words) = corrupt_header(&mut exported, &corruption);
        words.extend(column_of(&path));
        assert_names(&import_error(exported), &words);
    }

    #[test]
    fn a_corrupt_offsets_buffer_is_an_error_naming_the_column(
        rows in sink_rows(),
        node in any::<Index>(),
        how in offsets_corruption(),
    ) {
        let data = sink_data(&rows);
        let path = pick(WITH_OFFSETS, &node);
        let target = node_data(&data, path);
        let mut offsets = offsets_of(target);
        corrupt_offsets(&mut offsets, &how, path == ATTRIBUTES);
        let corrupt = replace_node(&data, path, &|node| with_offsets(node, offsets.clone()));
        let message = import_error(Exported::new(&corrupt));
        assert_names(&message, &["offset", column_of(path).expect("a column")]);
    }

    #[test]
    fn invalid_utf8_in_a_string_column_is_an_error_naming_the_column(
        rows in sink_rows(),
        node in any::<Index>(),
        byte in 0x80u8..=0xFF,
        at in any::<Index>(),
    ) {
        let data = sink_data(&rows);
        let path = pick(&[KEYS, VALUES, ORDERING_KEY, TOPIC], &node);
        let corrupt = replace_node(&data, path, &|node| {
            let mut values = node.buffers()[1].as_slice().to_vec();
            // The last row always has a value in every string column.
            let i = at.index(values.len());
            values[i] = byte;
            // A lone continuation or lead byte at the end is never valid UTF-8.
            *values.last_mut().expect("a value") = 0xC0;
            let mut buffers = node.buffers().to_vec();
            buffers[1] = Buffer::from_vec(values);
            // SAFETY: the values buffer keeps its length; only its bytes are
            // not UTF-8, which the importer must find.
            unsafe { node.clone().into_builder().buffers(buffers).build_unchecked() }
        });
        let message = import_error(Exported::new(&corrupt));
        assert_names(&message, &["utf", column_of(path).expect("a column")]);
    }

    #[test]
    fn a_schema_that_disagrees_with_the_array_is_an_error(
        rows in sink_rows(),
        disagreement in disagreement(),
    ) {
        let data = sink_data(&rows);
        let fields = fields_of(&data);
        let (schema, words) = match &disagreement {
            Disagreement::ExtraField => {
                let mut more: Vec<Field> = fields.iter().map(|f| f.as_ref().clone()).collect();
                more.push(Field::new("extra", DataType::Int32, true));
                (DataType::Struct(more.into()), vec!["children", "struct array"])
            }
            Disagreement::MissingField => {
                let fewer: Vec<Field> = fields.iter().take(3).map(|f| f.as_ref().clone()).collect();
                (DataType::Struct(fewer.into()), vec!["children", "struct array"])
            }
            Disagreement::ColumnType(column, data_type) => {
                let i = column.index(fields.len());
                let types = if i == 1 { unlike_map() } else { unlike_var_len() };
                let data_type = types[data_type.index(types.len())].clone();
                (with_column_type(&fields, i, data_type), vec![column_of(&[i]).expect("a column")])
            }
        };
        let message = import_error(Exported::with_schema(&data, &schema));
        assert_names(&message, &words);
    }

    #[test]
    fn a_column_of_a_type_the_sink_cannot_publish_is_an_error_naming_the_column(
        rows in sink_rows(),
        column in any::<Index>(),
        pick in any::<Index>(),
    ) {
        let array = sink_array(&rows);
        let i = column.index(array.num_columns());
        let name = column_of(&[i]).expect("a column");
        let wrong = replace_column(&array, i, wrong_sink_column(name, array.len(), &pick));
        let imported = Exported::new(&wrong.to_data()).import();
        prop_assert!(imported.is_ok(), "a well-formed array imports: {:?}", imported.err());
        let error = read_every_row(&wrong).expect_err("the sink rejects the column");
        assert_names(&error, &[&format!("'{name}'")]);
    }

    #[test]
    fn an_array_without_the_payload_column_is_an_error_naming_it(rows in sink_rows()) {
        let array = sink_array(&rows);
        let (fields, columns, nulls) = array.into_parts();
        let without = StructArray::new(
            fields.iter().skip(1).cloned().collect(),
            columns[1..].to_vec(),
            nulls,
        );
        let imported = Exported::new(&without.to_data()).import().expect("a valid array");
        let error = read_every_row(&imported).expect_err("no payload");
        assert_names(&error, &["'payload'"]);
    }
}

/// What the corruptions rely on: every node is exported with its length, and
/// each nullable column of the rows the properties use has a null.
#[test]
fn the_generated_rows_fill_every_node_of_the_sink_array() {
    let rows = vec![
        SinkRow::default(),
        SinkRow::payload(b"d".to_vec()).attribute("k", "v"),
    ];
    let data = sink_data(&rows);
    let mut exported = Exported::new(&data);
    for path in NODES {
        let node = exported.node(path);
        assert_eq!(node.length, node_data(&data, path).len() as i64, "{path:?}");
    }
    for path in NULLABLE {
        assert!(exported.node(path).null_count > 0, "{path:?} has a null");
    }
    assert!(exported.import().is_ok());
}
