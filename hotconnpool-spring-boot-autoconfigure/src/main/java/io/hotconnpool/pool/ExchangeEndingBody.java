package io.hotconnpool.pool;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * A response body that reports, once, how its exchange ended: with an I/O error while the caller read it, or
 * without one when it was read to the end or closed. An exchange is over only when its body is: a lease counts a
 * server that resets mid-body against the request its caller saw fail, and {@code execute} gives its lease back.
 */
final class ExchangeEndingBody extends ResponseBody {

	/** Told how the exchange ended. */
	@FunctionalInterface
	interface Ending {

		/**
		 * The exchange ended.
		 * @param failure the I/O error the caller got while reading the body, or {@code null}
		 */
		void ended(IOException failure);

	}

	private final ResponseBody delegate;

	private final BufferedSource source;

	private final AtomicBoolean ended = new AtomicBoolean();

	ExchangeEndingBody(ResponseBody delegate, Ending ending) {
		this.delegate = delegate;
		this.source = Okio.buffer(new ForwardingSource(delegate.source()) {

			@Override
			public long read(Buffer sink, long byteCount) throws IOException {
				try {
					long read = super.read(sink, byteCount);
					if (read == -1) {
						end(ending, null);
					}
					return read;
				}
				catch (IOException ex) {
					end(ending, ex);
					throw ex;
				}
			}

			@Override
			public void close() throws IOException {
				try {
					super.close();
				}
				finally {
					end(ending, null);
				}
			}

		});
	}

	private void end(Ending ending, IOException failure) {
		if (this.ended.compareAndSet(false, true)) {
			ending.ended(failure);
		}
	}

	@Override
	public MediaType contentType() {
		return this.delegate.contentType();
	}

	@Override
	public long contentLength() {
		return this.delegate.contentLength();
	}

	@Override
	public BufferedSource source() {
		return this.source;
	}

}
