package io.pubsubnative.spark.sink;

import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Copies a STRING or BINARY value of a Spark row (or array) straight into the data buffer of a
 * variable-width Arrow vector, with no intermediate byte array. For Spark's unsafe formats the bytes
 * are read in place through the value's offset-and-size word (the layout {@code UnsafeRow} and
 * {@code UnsafeArrayData} use for every variable-length value); other rows go through
 * {@code getUTF8String}/{@code getBinary}.
 *
 * <p>Values must be appended at consecutive indexes starting at 0 after a {@code reset()}.
 */
final class VarWidthAppender {

    private static final long OFFSET_WIDTH = BaseVariableWidthVector.OFFSET_WIDTH;

    private VarWidthAppender() {
    }

    /**
     * Appends {@code source[ordinal]} (null stays null) at {@code index}.
     *
     * @return the number of bytes copied
     */
    static int append(SpecializedGetters source, int ordinal, boolean isString,
                      BaseVariableWidthVector vector, int index) {
        if (source.isNullAt(ordinal)) {
            appendNull(vector, index);
            return 0;
        }
        if (source instanceof UnsafeRow row) {
            return appendInPlace(row.getBaseObject(), row.getBaseOffset(), row.getLong(ordinal), vector, index);
        }
        if (source instanceof UnsafeArrayData array) {
            return appendInPlace(array.getBaseObject(), array.getBaseOffset(), array.getLong(ordinal), vector, index);
        }
        if (isString) {
            UTF8String s = source.getUTF8String(ordinal);
            return appendBytes(s.getBaseObject(), s.getBaseOffset(), s.numBytes(), vector, index);
        }
        byte[] bytes = source.getBinary(ordinal);
        return appendBytes(bytes, Platform.BYTE_ARRAY_OFFSET, bytes.length, vector, index);
    }

    static void appendNull(BaseVariableWidthVector vector, int index) {
        ensureIndex(vector, index);
        int start = vector.getStartOffset(index);
        vector.getOffsetBuffer().setInt((index + 1L) * OFFSET_WIDTH, start);
        BitVectorHelper.unsetBit(vector.getValidityBuffer(), index);
        vector.setLastSet(index);
    }

    private static int appendInPlace(Object base, long baseOffset, long offsetAndSize,
                                     BaseVariableWidthVector vector, int index) {
        int offset = (int) (offsetAndSize >> 32);
        int size = (int) offsetAndSize;
        return appendBytes(base, baseOffset + offset, size, vector, index);
    }

    private static int appendBytes(Object base, long offset, int length, BaseVariableWidthVector vector, int index) {
        ensureIndex(vector, index);
        int start = vector.getStartOffset(index);
        long end = (long) start + length;
        if (end > Integer.MAX_VALUE) {
            throw new IllegalStateException("an Arrow batch of the pubsub sink would exceed 2 GiB of "
                    + "variable-length data in vector " + vector.getName());
        }
        while (vector.getDataBuffer().capacity() < end) {
            vector.reallocDataBuffer();
        }
        Platform.copyMemory(base, offset, null, vector.getDataBufferAddress() + start, length);
        vector.getOffsetBuffer().setInt((index + 1L) * OFFSET_WIDTH, (int) end);
        BitVectorHelper.setBit(vector.getValidityBuffer(), index);
        vector.setLastSet(index);
        return length;
    }

    private static void ensureIndex(BaseVariableWidthVector vector, int index) {
        while (index >= vector.getValueCapacity()) {
            vector.reallocValidityAndOffsetBuffers();
        }
    }
}
