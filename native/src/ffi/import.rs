//! Takes ownership of a struct array that Java exported through the Arrow C
//! Data Interface. The imported array's release callbacks call into the JVM,
//! so the returned array must be dropped on the calling JVM thread.
//!
//! arrow-rs's import trusts the structs: a child count that disagrees with the
//! schema panics, a negative length or offset wraps into a huge one, a
//! negative last offset becomes a huge values buffer, and a null count of 0
//! hides the nulls of a validity bitmap. `check_array` rejects all of these
//! before the import reads anything; `validate_full` then checks every buffer
//! against the type. What no importer can check is that each buffer is as
//! long as the lengths and offsets say: the C Data Interface has no buffer
//! sizes, so that stays the exporter's (arrow-java's) guarantee.

use crate::error::NativeError;
use arrow_array::ffi::from_ffi;
use arrow_array::StructArray;
use arrow_buffer::bit_chunk_iterator::UnalignedBitChunk;
use arrow_data::ffi::FFI_ArrowArray;
use arrow_data::{layout, ArrayData};
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{ArrowError, DataType};
use std::ffi::c_void;

/// Moves the exported array and schema out of the structs at the given
/// addresses (leaving them released) and imports them as a struct array.
///
/// The addresses must point to `ArrowArray` and `ArrowSchema` structs that
/// hold one exported struct array (Java's `Data.exportVectorSchemaRoot`).
/// Ownership is taken whenever both addresses are non-null, also when the
/// import then fails; the array is released before this returns in that case.
pub fn import_struct(array_addr: i64, schema_addr: i64) -> Result<StructArray, NativeError> {
    if array_addr == 0 || schema_addr == 0 {
        return Err(NativeError::InvalidArgument(format!(
            "Arrow C Data addresses must not be null (array {array_addr:#x}, schema {schema_addr:#x})"
        )));
    }
    // SAFETY: the caller guarantees both addresses point to live, aligned C Data
    // structs filled by an exporter; `from_raw` moves their contents out and
    // marks the originals released, so each release callback runs exactly once
    // (when the Rust values drop).
    let (array, schema) = unsafe {
        (
            FFI_ArrowArray::from_raw(array_addr as *mut FFI_ArrowArray),
            FFI_ArrowSchema::from_raw(schema_addr as *mut FFI_ArrowSchema),
        )
    };
    let data_type = DataType::try_from(&schema)?;
    if !matches!(data_type, DataType::Struct(_)) {
        return Err(NativeError::InvalidArgument(format!(
            "expected an exported struct array (a VectorSchemaRoot), got Arrow type {data_type}"
        )));
    }
    // SAFETY: `FFI_ArrowArray` is `#[repr(C)]` with the fields of the C Data
    // Interface's `ArrowArray`, which `CArray` declares in the same order.
    let view = unsafe { &*std::ptr::from_ref(&array).cast::<CArray>() };
    check_array(view, &data_type, "the struct array")?;
    // SAFETY: the structs came from an Arrow C Data exporter (the caller's
    // guarantee) and `check_array` found them consistent with the type;
    // `validate` below checks the buffers against the type before any value
    // is read.
    let data = unsafe { from_ffi(array, &schema) }?;
    validate(&data)?;
    Ok(StructArray::from(data))
}

/// `validate_full` of each column, naming the column that fails, then of the
/// struct itself (its own lengths and nulls; the columns are done).
fn validate(data: &ArrayData) -> Result<(), NativeError> {
    if let DataType::Struct(fields) = data.data_type() {
        for (field, column) in fields.iter().zip(data.child_data()) {
            column.validate_full().map_err(|e| {
                ArrowError::InvalidArgumentError(format!("column '{}': {e}", field.name()))
            })?;
        }
    }
    data.validate_data()?;
    Ok(())
}

/// The C Data Interface's `ArrowArray` (arrow/c/abi.h), read field by field.
#[repr(C)]
struct CArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *const *const c_void,
    children: *const *const CArray,
    dictionary: *const CArray,
    _release: Option<unsafe extern "C" fn(*mut CArray)>,
    _private_data: *mut c_void,
}

/// Java's vectors hold at most `i32::MAX` values.
const MAX_LEN: i64 = i32::MAX as i64;

fn invalid(path: &str, what: String) -> NativeError {
    NativeError::InvalidArgument(format!("invalid Arrow array from Java: {path}: {what}"))
}

/// The children a C Data array of `data_type` has, with their types and names.
fn child_types(data_type: &DataType) -> Vec<(&DataType, &str)> {
    match data_type {
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::FixedSizeList(f, _)
        | DataType::Map(f, _) => vec![(f.data_type(), f.name().as_str())],
        DataType::Struct(fields) => fields
            .iter()
            .map(|f| (f.data_type(), f.name().as_str()))
            .collect(),
        DataType::Union(fields, _) => fields
            .iter()
            .map(|(_, f)| (f.data_type(), f.name().as_str()))
            .collect(),
        DataType::RunEndEncoded(run_ends, values) => vec![
            (run_ends.data_type(), run_ends.name().as_str()),
            (values.data_type(), values.name().as_str()),
        ],
        _ => Vec::new(),
    }
}

fn child_path(path: &str, name: &str) -> String {
    match path.strip_prefix("column '") {
        Some(column) => format!("column '{}.{name}'", column.trim_end_matches('\'')),
        None => format!("column '{name}'"),
    }
}

/// Checks what arrow-rs's import trusts: lengths, counts, the pointers it
/// dereferences, null counts against validity bitmaps, the last offset of
/// variable-length values, recursively.
fn check_array(array: &CArray, data_type: &DataType, path: &str) -> Result<(), NativeError> {
    let (length, offset) = (array.length, array.offset);
    if length < 0 || offset < 0 || length.saturating_add(offset) > MAX_LEN {
        return Err(invalid(
            path,
            format!(
                "length {length} and offset {offset} must be non-negative and add up to at most {MAX_LEN}"
            ),
        ));
    }
    if array.null_count < -1 || array.null_count > length {
        return Err(invalid(
            path,
            format!(
                "null_count {} is outside -1..={length} (its length)",
                array.null_count
            ),
        ));
    }
    let layout = layout(data_type);
    let expected = i64::from(layout.can_contain_null_mask) + layout.buffers.len() as i64;
    let buffers_ok = if layout.variadic {
        array.n_buffers > expected
    } else {
        array.n_buffers == expected
    };
    if !buffers_ok || (array.n_buffers > 0 && array.buffers.is_null()) {
        return Err(invalid(
            path,
            format!(
                "{} buffers (at {:p}) for Arrow type {data_type}, which has {expected}{}",
                array.n_buffers,
                array.buffers,
                if layout.variadic { " and more" } else { "" }
            ),
        ));
    }
    let children = child_types(data_type);
    if array.n_children != children.len() as i64
        || (array.n_children > 0 && array.children.is_null())
    {
        return Err(invalid(
            path,
            format!(
                "{} children (at {:p}) for Arrow type {data_type}, which has {}",
                array.n_children,
                array.children,
                children.len()
            ),
        ));
    }
    // The counts are checked, so indexing stays within the exporter's arrays.
    let buffer = |i: usize| -> *const u8 {
        // SAFETY: `i < n_buffers`, and `buffers` is non-null when n_buffers > 0.
        unsafe { *array.buffers.add(i) }.cast()
    };
    let (length, offset) = (length as usize, offset as usize);
    if layout.can_contain_null_mask {
        check_nulls(array, buffer(0), length, offset, path)?;
    }
    let base = usize::from(layout.can_contain_null_mask);
    match data_type {
        DataType::Utf8 | DataType::Binary => {
            check_offsets::<i32>(buffer(base), length, offset, path)?;
        }
        DataType::LargeUtf8 | DataType::LargeBinary => {
            check_offsets::<i64>(buffer(base), length, offset, path)?;
        }
        DataType::List(_) | DataType::LargeList(_) | DataType::Map(..)
            if buffer(base).is_null() =>
        {
            return Err(invalid(path, "the offsets buffer is null".into()));
        }
        DataType::Utf8View | DataType::BinaryView => {
            let lengths = buffer(array.n_buffers as usize - 1).cast::<i64>();
            let count = array.n_buffers as usize - 3;
            for i in 0..count {
                // SAFETY: the last buffer holds the lengths of the `count`
                // variadic buffers (C Data Interface, binary view arrays).
                let len = unsafe { lengths.add(i).read_unaligned() };
                if len < 0 {
                    return Err(invalid(
                        path,
                        format!("variadic buffer {i} has length {len}"),
                    ));
                }
            }
        }
        _ => {}
    }
    for (i, (child_type, name)) in children.into_iter().enumerate() {
        // SAFETY: `i < n_children`, and `children` is non-null when n_children > 0.
        let child = unsafe { (*array.children.add(i)).as_ref() };
        let child_path = child_path(path, name);
        let child = child.ok_or_else(|| invalid(&child_path, "the child is null".into()))?;
        check_array(child, child_type, &child_path)?;
    }
    // SAFETY: a non-null dictionary points to the exporter's dictionary array.
    match (unsafe { array.dictionary.as_ref() }, data_type) {
        (Some(dictionary), DataType::Dictionary(_, values)) => {
            check_array(dictionary, values, &format!("{path} (dictionary)"))
        }
        (None, DataType::Dictionary(..)) => Err(invalid(
            path,
            "a dictionary array without its dictionary".into(),
        )),
        _ => Ok(()),
    }
}

/// A null validity buffer only with no nulls; else the bitmap's nulls must be
/// the null count (unless the exporter left it unknown, -1).
fn check_nulls(
    array: &CArray,
    validity: *const u8,
    length: usize,
    offset: usize,
    path: &str,
) -> Result<(), NativeError> {
    if validity.is_null() {
        return match array.null_count {
            count if count > 0 => Err(invalid(
                path,
                format!("null_count {count} but no validity buffer"),
            )),
            _ => Ok(()),
        };
    }
    if length == 0 || array.null_count < 0 {
        return Ok(());
    }
    // SAFETY: a validity buffer holds a bit for each of the `offset + length`
    // slots (C Data Interface); arrow-rs's import makes the same assumption.
    let bitmap = unsafe { std::slice::from_raw_parts(validity, (offset + length).div_ceil(8)) };
    let nulls = length - UnalignedBitChunk::new(bitmap, offset, length).count_ones();
    if nulls as i64 != array.null_count {
        return Err(invalid(
            path,
            format!(
                "null_count {} but the validity bitmap has {nulls} nulls",
                array.null_count
            ),
        ));
    }
    Ok(())
}

/// The offsets buffer must be there, and its last offset, which arrow-rs
/// takes as the values buffer's length, must not be negative (a wrapped,
/// huge length).
fn check_offsets<T: Copy + Into<i64>>(
    offsets: *const u8,
    length: usize,
    offset: usize,
    path: &str,
) -> Result<(), NativeError> {
    if offsets.is_null() {
        return Err(invalid(path, "the offsets buffer is null".into()));
    }
    // arrow-rs does not read the offsets of an empty, unsliced array.
    if length == 0 && offset == 0 {
        return Ok(());
    }
    // SAFETY: an offsets buffer holds `offset + length + 1` offsets (C Data
    // Interface); arrow-rs's import reads the same one.
    let last: i64 = unsafe { offsets.cast::<T>().add(offset + length).read_unaligned() }.into();
    if last < 0 {
        return Err(invalid(
            path,
            format!("offset {} (the last) is {last}", offset + length),
        ));
    }
    Ok(())
}
