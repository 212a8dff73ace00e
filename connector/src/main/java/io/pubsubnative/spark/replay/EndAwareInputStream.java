package io.pubsubnative.spark.replay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that notes whether a read ran into the end of the underlying stream. An Arrow
 * stream reader stops at the end-of-stream marker without reading further, so a reader that
 * reached the end has read a file cut off where a message should have begun.
 */
final class EndAwareInputStream extends FilterInputStream {

    private boolean reachedEnd;

    EndAwareInputStream(InputStream in) {
        super(in);
    }

    boolean reachedEnd() {
        return reachedEnd;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        reachedEnd |= b < 0;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        reachedEnd |= n < 0;
        return n;
    }
}
