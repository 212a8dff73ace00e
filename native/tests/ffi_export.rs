//! Export through the Arrow C Data Interface, import back with arrow's own
//! FFI import, and check that releasing frees every exported byte.
//! One test in this binary, so no other test allocates during the measurement.

use arrow_array::ffi::from_ffi;
use arrow_array::{Array, StructArray};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;
use pubsub_spark_native::arrow_batch::{RawBatchBuilder, RawRow};
use pubsub_spark_native::ffi::alloc::allocated_bytes;
use pubsub_spark_native::ffi::export::export_to;

/// 100 rows with payloads of 0 to 9,900 bytes, every other one with an
/// ordering key, every third with an attribute, and varied delivery attempts.
fn batch() -> StructArray {
    let mut builder = RawBatchBuilder::default();
    for i in 0..100usize {
        let payload = vec![i as u8; i * 100];
        let id = format!("id-{i}");
        let key = if i % 2 == 0 {
            format!("key-{i}")
        } else {
            String::new()
        };
        if i % 3 == 0 {
            builder.push_attribute("n", &i.to_string());
        }
        builder.push_row(&RawRow {
            message_id: &id,
            publish_micros: 1_700_000_000_000_005 + i as i64,
            payload: &payload,
            ordering_key: &key,
            delivery_attempt: (i % 4) as i32,
        });
    }
    builder.finish().unwrap()
}

/// Exports like the JNI `fetch` does and imports like Java does.
fn round_trip() -> StructArray {
    let mut array = Box::new(FFI_ArrowArray::empty());
    let mut schema = Box::new(FFI_ArrowSchema::empty());
    export_to(
        batch(),
        &mut *array as *mut FFI_ArrowArray as i64,
        &mut *schema as *mut FFI_ArrowSchema as i64,
    )
    .unwrap();
    // SAFETY: `export_to` filled both structs with a valid exported array.
    let data = unsafe { from_ffi(*array, &schema) }.unwrap();
    StructArray::from(data)
}

#[test]
fn exported_batches_import_equal_and_release_all_their_memory() {
    let expected = batch();
    let imported = round_trip();
    assert_eq!(imported, expected);
    assert_eq!(imported.offset(), 0);
    assert_eq!(imported.len(), 100);
    drop(imported);
    drop(expected);

    // Warm up once so lazily allocated statics do not count as a leak.
    drop(round_trip());
    let baseline = allocated_bytes();
    for _ in 0..10 {
        let imported = round_trip();
        assert!(allocated_bytes() > baseline);
        drop(imported);
    }
    assert_eq!(
        allocated_bytes(),
        baseline,
        "released batches must free everything"
    );
}
