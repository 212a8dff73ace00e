//! Moves a struct array into the Arrow C Data Interface structs that Java
//! allocated. Java's import takes ownership; its release callback frees the
//! Rust buffers.

use crate::error::NativeError;
use arrow_array::{Array, StructArray};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;

/// Writes `array` and its schema to the given addresses.
///
/// The addresses must point to writable, properly aligned `ArrowArray` and
/// `ArrowSchema` structs in the released state (Java's `ArrowArray.allocateNew`).
pub fn export_to(array: StructArray, array_addr: i64, schema_addr: i64) -> Result<(), NativeError> {
    if array_addr == 0 || schema_addr == 0 {
        return Err(NativeError::InvalidArgument(format!(
            "Arrow C Data addresses must not be null (array {array_addr:#x}, schema {schema_addr:#x})"
        )));
    }
    // arrow-java misreads arrays with a non-zero offset; only fresh arrays are exported.
    if array.offset() != 0 {
        return Err(NativeError::InvalidArgument(
            "refusing to export a sliced Arrow array".to_string(),
        ));
    }
    let data = array.into_data();
    let schema = FFI_ArrowSchema::try_from(data.data_type())?;
    let ffi_array = FFI_ArrowArray::new(&data);
    // SAFETY: the caller guarantees both addresses point to live, aligned,
    // writable C Data structs in the released state, so overwriting them without
    // dropping the old contents leaks nothing and hands ownership to Java.
    unsafe {
        std::ptr::write(array_addr as *mut FFI_ArrowArray, ffi_array);
        std::ptr::write(schema_addr as *mut FFI_ArrowSchema, schema);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow_batch::RawBatchBuilder;

    #[test]
    fn null_addresses_are_rejected_without_writing() {
        let batch = RawBatchBuilder::default().finish().unwrap();
        let err = export_to(batch, 0, 0).unwrap_err().to_string();
        assert!(err.contains("must not be null"), "{err}");
    }
}
