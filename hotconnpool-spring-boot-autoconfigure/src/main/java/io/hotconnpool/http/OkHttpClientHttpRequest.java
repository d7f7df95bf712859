package io.hotconnpool.http;

import java.io.IOException;
import java.net.URI;
import java.util.Set;

import io.hotconnpool.pool.AcquireTimeoutException;
import io.hotconnpool.pool.PoolClosedException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.StreamUtils;

/**
 * A Spring request that becomes one OkHttp request, executed by the pool or its plain client.
 */
final class OkHttpClientHttpRequest extends AbstractStreamingClientHttpRequest {

	/** Methods OkHttp refuses without a body: Spring sends them bodiless when the caller set none. */
	private static final Set<String> BODY_REQUIRED = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT", "QUERY");

	private final URI uri;

	private final HttpMethod method;

	private final HttpUrl url;

	private final Exchange exchange;

	OkHttpClientHttpRequest(URI uri, HttpMethod method, HttpUrl url, Exchange exchange) {
		this.uri = uri;
		this.method = method;
		this.url = url;
		this.exchange = exchange;
	}

	@Override
	public HttpMethod getMethod() {
		return this.method;
	}

	@Override
	public URI getURI() {
		return this.uri;
	}

	@Override
	protected ClientHttpResponse executeInternal(HttpHeaders headers, StreamingHttpOutputMessage.Body body)
			throws IOException {
		Request.Builder request = new Request.Builder().url(this.url);
		headers.forEach((name, values) -> values.forEach((value) -> request.addHeader(name, value)));
		request.method(this.method.name(), requestBody(headers, body));
		try {
			return new OkHttpClientHttpResponse(this.exchange.execute(request.build()));
		}
		catch (AcquireTimeoutException | PoolClosedException ex) {
			// No connection to send on is an I/O failure to callers: RestClient reports it as ResourceAccessException.
			throw new IOException(ex.getMessage(), ex);
		}
	}

	private RequestBody requestBody(HttpHeaders headers, StreamingHttpOutputMessage.Body body) {
		MediaType contentType = (headers.getContentType() != null) ? MediaType.parse(headers.getContentType().toString())
				: null;
		if (body == null) {
			return BODY_REQUIRED.contains(this.method.name()) ? RequestBody.create(new byte[0], contentType) : null;
		}
		long contentLength = headers.getContentLength();
		return new RequestBody() {

			@Override
			public MediaType contentType() {
				return contentType;
			}

			@Override
			public long contentLength() {
				return contentLength;
			}

			@Override
			public boolean isOneShot() {
				return !body.repeatable();
			}

			@Override
			public void writeTo(BufferedSink sink) throws IOException {
				// Closing the sink would end the exchange: OkHttp closes it after writeTo.
				body.writeTo(StreamUtils.nonClosing(sink.outputStream()));
			}

		};
	}

	/** Executes the OkHttp request: on a pool lease, or on the plain client. */
	@FunctionalInterface
	interface Exchange {

		Response execute(Request request) throws IOException;

	}

}
