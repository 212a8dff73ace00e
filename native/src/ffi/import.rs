//! Takes ownership of a struct array that Java exported through the Arrow C
//! Data Interface. The imported array's release callbacks call into the JVM,
//! so the returned array must be dropped on the calling JVM thread.

use crate::error::NativeError;
use arrow_array::ffi::from_ffi;
use arrow_array::StructArray;
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::DataType;

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
    // SAFETY: the structs came from an Arrow C Data exporter (the caller's
    // guarantee); `validate_full` below checks the buffers against the type
    // before any value is read.
    let data = unsafe { from_ffi(array, &schema) }?;
    if !matches!(data.data_type(), DataType::Struct(_)) {
        return Err(NativeError::InvalidArgument(format!(
            "expected an exported struct array (a VectorSchemaRoot), got Arrow type {}",
            data.data_type()
        )));
    }
    data.validate_full()?;
    Ok(StructArray::from(data))
}
