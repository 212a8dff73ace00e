//! Export through the Arrow C Data Interface, import back with arrow's own
//! FFI import, and check that releasing frees every exported byte.
//! One test in this binary, so no other test allocates during the measurement.

use arrow_array::ffi::from_ffi;
use arrow_array::{Array, StructArray};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;
use prost_types::Timestamp;
use pubsub_spark_native::arrow_batch::{build_batch, PulledMessage};
use pubsub_spark_native::ffi::alloc::allocated_bytes;
use pubsub_spark_native::ffi::export::export_to;
use pubsub_spark_native::proto::google::pubsub::v1::PubsubMessage;

fn messages() -> Vec<PulledMessage> {
    (0..100)
        .map(|i| {
            let mut message = PubsubMessage {
                data: vec![i as u8; i * 100].into(),
                message_id: format!("id-{i}"),
                publish_time: Some(Timestamp {
                    seconds: 1_700_000_000 + i as i64,
                    nanos: 5_000,
                }),
                ordering_key: if i % 2 == 0 {
                    format!("key-{i}")
                } else {
                    String::new()
                },
                ..Default::default()
            };
            if i % 3 == 0 {
                message.attributes.insert("n".into(), i.to_string());
            }
            PulledMessage {
                message,
                delivery_attempt: (i % 4) as i32,
            }
        })
        .collect()
}

/// Exports like the JNI `fetch` does and imports like Java does.
fn round_trip(messages: &[PulledMessage]) -> StructArray {
    let mut array = Box::new(FFI_ArrowArray::empty());
    let mut schema = Box::new(FFI_ArrowSchema::empty());
    let batch = build_batch(messages).unwrap();
    export_to(
        batch,
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
    let messages = messages();
    let expected = build_batch(&messages).unwrap();
    let imported = round_trip(&messages);
    assert_eq!(imported, expected);
    assert_eq!(imported.offset(), 0);
    assert_eq!(imported.len(), 100);
    drop(imported);
    drop(expected);

    // Warm up once so lazily allocated statics do not count as a leak.
    drop(round_trip(&messages));
    let baseline = allocated_bytes();
    for _ in 0..10 {
        let imported = round_trip(&messages);
        assert!(allocated_bytes() > baseline);
        drop(imported);
    }
    assert_eq!(
        allocated_bytes(),
        baseline,
        "released batches must free everything"
    );
}
