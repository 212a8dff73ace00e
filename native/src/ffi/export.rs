//! Moves a struct array into the Arrow C Data Interface structs that Java
//! allocated. Java's import takes ownership; its release callback frees the
//! Rust buffers.

use crate::error::NativeError;
use arrow_array::{Array, StructArray};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;

/// Writes `array` to `array_addr` and, unless `schema_addr` is 0, its schema to
/// `schema_addr`. A reader that already holds the schema passes 0 and skips
/// exporting (and Java skips importing) it for every batch after the first.
///
/// Non-zero addresses must point to writable, properly aligned `ArrowArray` and
/// `ArrowSchema` structs in the released state (Java's `ArrowArray.allocateNew`).
pub fn export_to(array: StructArray, array_addr: i64, schema_addr: i64) -> Result<(), NativeError> {
    if array_addr == 0 {
        return Err(NativeError::InvalidArgument(
            "the Arrow C Data array address must not be null".to_string(),
        ));
    }
    // arrow-java misreads arrays with a non-zero offset; only fresh arrays are exported.
    if array.offset() != 0 {
        return Err(NativeError::InvalidArgument(
            "refusing to export a sliced Arrow array".to_string(),
        ));
    }
    let data = array.into_data();
    let schema = if schema_addr == 0 {
        None
    } else {
        Some(FFI_ArrowSchema::try_from(data.data_type())?)
    };
    let ffi_array = FFI_ArrowArray::new(&data);
    // SAFETY: the caller guarantees every non-zero address points to a live,
    // aligned, writable C Data struct in the released state, so overwriting it
    // without dropping the old contents leaks nothing and hands ownership to Java.
    unsafe {
        std::ptr::write(array_addr as *mut FFI_ArrowArray, ffi_array);
        if let Some(schema) = schema {
            std::ptr::write(schema_addr as *mut FFI_ArrowSchema, schema);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow_batch::RawBatchBuilder;

    #[test]
    fn a_null_array_address_is_rejected_without_writing() {
        let batch = RawBatchBuilder::default().finish().unwrap();
        let err = export_to(batch, 0, 0).unwrap_err().to_string();
        assert!(err.contains("must not be null"), "{err}");
    }

    #[test]
    fn a_null_schema_address_exports_the_array_alone() {
        let batch = RawBatchBuilder::default().finish().unwrap();
        let mut out = FFI_ArrowArray::empty();
        export_to(batch, &mut out as *mut FFI_ArrowArray as i64, 0).unwrap();
        assert!(!out.is_released());
        // Dropping `out` runs its release callback, as Java's import would.
    }
}
