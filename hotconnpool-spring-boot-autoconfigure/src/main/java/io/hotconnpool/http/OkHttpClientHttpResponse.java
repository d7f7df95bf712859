package io.hotconnpool.http;

import java.io.InputStream;

import okhttp3.Headers;
import okhttp3.Response;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A Spring response over an OkHttp one. Closing it closes the OkHttp body, which gives a pool lease back.
 */
final class OkHttpClientHttpResponse implements ClientHttpResponse {

	private final Response response;

	private HttpHeaders headers;

	OkHttpClientHttpResponse(Response response) {
		this.response = response;
	}

	@Override
	public HttpStatusCode getStatusCode() {
		return HttpStatusCode.valueOf(this.response.code());
	}

	@Override
	public String getStatusText() {
		return this.response.message();
	}

	@Override
	public HttpHeaders getHeaders() {
		if (this.headers == null) {
			HttpHeaders copy = new HttpHeaders();
			Headers okHeaders = this.response.headers();
			for (int i = 0; i < okHeaders.size(); i++) {
				copy.add(okHeaders.name(i), okHeaders.value(i));
			}
			this.headers = HttpHeaders.readOnlyHttpHeaders(copy);
		}
		return this.headers;
	}

	@Override
	public InputStream getBody() {
		return this.response.body().byteStream();
	}

	@Override
	public void close() {
		this.response.close();
	}

}
