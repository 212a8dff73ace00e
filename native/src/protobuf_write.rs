//! Protobuf wire helpers for requests encoded by hand, without building prost
//! structs: Publish requests (messages encoded once into request buffers) and
//! Acknowledge / ModifyAckDeadline requests (written straight from packed ack ids).

use bytes::BufMut;
use prost::encoding::{encode_key, encode_varint, encoded_len_varint, WireType};

/// Bytes of a length-delimited field with `len` bytes of content. Every field
/// number used here is below 16, so its key takes one byte.
pub fn field_len(len: usize) -> usize {
    1 + encoded_len_varint(len as u64) + len
}

/// Writes the key and length of a length-delimited field; the content follows.
pub fn put_header(buf: &mut impl BufMut, field: u32, len: usize) {
    debug_assert!(field < 16, "field {field} needs a longer key");
    encode_key(field, WireType::LengthDelimited, buf);
    encode_varint(len as u64, buf);
}

pub fn put_bytes_field(buf: &mut impl BufMut, field: u32, value: &[u8]) {
    put_header(buf, field, value.len());
    buf.put_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_len_counts_key_length_prefix_and_content() {
        for len in [0, 1, 127, 128, 16_383, 16_384, 10_000_000] {
            let mut buf = Vec::new();
            put_bytes_field(&mut buf, 5, &vec![7u8; len]);
            assert_eq!(buf.len(), field_len(len), "len {len}");
        }
    }
}
