package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.hotconnpool.test.TestTls;
import io.hotconnpool.tls.NoDelaySocketFactory;
import io.hotconnpool.tls.TlsContext;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import okhttp3.ConnectionPool;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClientResponse;

/**
 * The peers the pool is compared with, each configured as users ship it: only the trusted CA (all of them verify
 * the certificate and host name) and, where the client has a hook for it, the stub DNS differ from the defaults.
 */
public final class Peers {

	/** How long a peer without a deadline of its own may take for one exchange before it counts as failed. */
	static final Duration EXCHANGE_DEADLINE = Duration.ofSeconds(30);

	private Peers() {
	}

	/** Names as the stub DNS answers them. */
	static Map<String, List<InetAddress>> dns(Collection<Target> targets) {
		return targets.stream().collect(Collectors.toUnmodifiableMap(Target::host, Target::addresses));
	}

	/**
	 * OkHttp 5 as shipped: default connection pool (5 idle), retries on, Nagle on (OkHttp never sets
	 * {@code TCP_NODELAY}), the JDK's TLS.
	 */
	public static HttpPeer okHttp(TestTls tls, Collection<Target> targets) {
		HandshakeCertificates client = tls.client();
		OkHttpClient okHttp = new OkHttpClient.Builder().sslSocketFactory(client.sslSocketFactory(), client.trustManager())
			.dns(stubDns(targets))
			.build();
		return new OkHttpPeer("OkHttp (as shipped)", okHttp);
	}

	/**
	 * The pool's own engine without the pool: OkHttp with the pool's Conscrypt TLS context and
	 * {@code TCP_NODELAY}, a connection pool big enough for every connection, no retries. The baseline the pool's
	 * overhead is measured against.
	 * @param protocols the protocols to offer
	 * @param maxIdle idle connections OkHttp may keep
	 */
	public static HttpPeer rawEngine(TestTls tls, Collection<Target> targets, List<Protocol> protocols,
			int maxIdle) {
		TlsContext context = TlsContext.create(tls.trustStore(), null, Duration.ofSeconds(5), false);
		OkHttpClient okHttp = new OkHttpClient.Builder().socketFactory(new NoDelaySocketFactory())
			.sslSocketFactory(context.socketFactory(), context.trustManager())
			.connectionPool(new ConnectionPool(maxIdle, 5, TimeUnit.MINUTES))
			.protocols(protocols)
			.retryOnConnectionFailure(false)
			.dns(stubDns(targets))
			.build();
		return new OkHttpPeer("OkHttp engine (Conscrypt, TCP_NODELAY)", okHttp);
	}

	/** Apache HttpClient 5 classic with its pooling connection manager, defaults otherwise (HTTP/1.1). */
	public static HttpPeer apache(TestTls tls, Collection<Target> targets) {
		CloseableHttpClient client = HttpClients.custom()
			.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
				.setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls.client().sslContext()).buildClassic())
				.setDnsResolver(apacheDns(targets))
				.build())
			.build();
		return new ApachePeer("Apache HttpClient 5 (pooling)", (uri) -> client.execute(new HttpGet(uri), (response) -> {
			EntityUtils.consume(response.getEntity());
			return response;
		}), () -> client.close(CloseMode.IMMEDIATE));
	}

	/**
	 * Apache HttpClient 5's HTTP/2 client ({@code HttpAsyncClients.customHttp2()}): one connection per host
	 * carrying concurrent streams, defaults otherwise. Called synchronously, as a blocking caller would.
	 */
	public static HttpPeer apacheH2(TestTls tls, Collection<Target> targets) {
		CloseableHttpAsyncClient client = HttpAsyncClients.customHttp2()
			.setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls.client().sslContext()).buildAsync())
			.setDnsResolver(apacheDns(targets))
			.build();
		client.start();
		return new ApachePeer("Apache HttpClient 5 (async, HTTP/2)",
				(uri) -> await(client.execute(SimpleRequestBuilder.get(uri).build(), null)),
				// Graceful: an immediate close logs an error from the I/O reactor's closed selector. Nothing is in
				// flight then.
				() -> client.close(CloseMode.GRACEFUL));
	}

	/** An asynchronous exchange's response, within {@link #EXCHANGE_DEADLINE}. */
	private static SimpleHttpResponse await(Future<SimpleHttpResponse> response) throws IOException {
		try {
			return response.get(EXCHANGE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			response.cancel(true);
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted");
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof IOException io) ? io : new IOException(ex.getCause());
		}
		catch (TimeoutException ex) {
			response.cancel(true);
			throw new IOException("No response within " + EXCHANGE_DEADLINE, ex);
		}
	}

	/**
	 * Reactor Netty's {@code HttpClient} as WebClient runs it: {@code HttpClient.create()} on the global resources
	 * (its default connection pool and event loops), host names verified (Reactor Netty's default). HTTP/1.1 is its
	 * default; with {@code h2} it speaks only HTTP/2 ({@code protocol(HttpProtocol.H2)}), multiplexing streams.
	 * Closing disposes the global resources, so that the next client starts afresh.
	 * @param h2 whether to speak HTTP/2
	 */
	public static HttpPeer reactorNetty(TestTls tls, Collection<Target> targets, boolean h2) {
		X509Certificate ca = tls.ca();
		reactor.netty.http.client.HttpClient client = reactor.netty.http.client.HttpClient.create()
			.resolver(new StubResolverGroup(dns(targets)))
			.secure((spec) -> spec.sslContext(h2 ? Http2SslContextSpec.forClient().configure((b) -> b.trustManager(ca))
					: Http11SslContextSpec.forClient().configure((b) -> b.trustManager(ca))));
		return new ReactorNettyPeer(h2 ? client.protocol(HttpProtocol.H2) : client);
	}

	/**
	 * The JDK's {@link HttpClient} (HTTP/2 where the server offers it, multiplexing streams on one connection),
	 * defaults otherwise but a deadline per request (it has none). JDK 17 has no resolver hook: it addresses the
	 * host's first IP literally, which the certificate lists; the connection costs the same.
	 */
	public static HttpPeer jdk(TestTls tls) {
		ExecutorService executor = Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "jdk-http-client");
			thread.setDaemon(true);
			return thread;
		});
		HttpClient client = HttpClient.newBuilder().sslContext(tls.client().sslContext()).executor(executor).build();
		return new JdkPeer(client, executor);
	}

	private static DnsResolver apacheDns(Collection<Target> targets) {
		Map<String, List<InetAddress>> dns = dns(targets);
		return new DnsResolver() {
			@Override
			public InetAddress[] resolve(String host) throws UnknownHostException {
				return lookup(dns, host).toArray(InetAddress[]::new);
			}

			@Override
			public String resolveCanonicalHostname(String host) {
				return host;
			}
		};
	}

	private static Dns stubDns(Collection<Target> targets) {
		Map<String, List<InetAddress>> dns = dns(targets);
		return (host) -> lookup(dns, host);
	}

	private static List<InetAddress> lookup(Map<String, List<InetAddress>> dns, String host)
			throws UnknownHostException {
		List<InetAddress> addresses = dns.get(host);
		if (addresses == null) {
			throw new UnknownHostException(host);
		}
		return addresses;
	}

	private record OkHttpPeer(String name, OkHttpClient client) implements HttpPeer {

		@Override
		public int get(Target target) throws IOException {
			return exchange(target, Response::code);
		}

		@Override
		public String protocol(Target target) throws IOException {
			return exchange(target, (response) -> response.protocol().toString());
		}

		private <T> T exchange(Target target, Function<Response, T> read) throws IOException {
			try (Response response = this.client.newCall(new Request.Builder().url(target.url()).build()).execute()) {
				response.body().string();
				return read.apply(response);
			}
		}

		@Override
		public void close() {
			this.client.dispatcher().executorService().shutdown();
			this.client.connectionPool().evictAll();
		}

	}

	/**
	 * Either Apache client: the classic one, or the HTTP/2 one called synchronously.
	 * @param name the peer's name in reports
	 * @param client sends a request
	 * @param closer closes the client
	 * @param uris one URI per target: the peers' request building is not what is measured
	 */
	private record ApachePeer(String name, Exchange client, Runnable closer, Map<Target, URI> uris) implements HttpPeer {

		ApachePeer(String name, Exchange client, Runnable closer) {
			this(name, client, closer, new ConcurrentHashMap<>());
		}

		@Override
		public int get(Target target) throws IOException {
			return exchange(target).getCode();
		}

		@Override
		public String protocol(Target target) throws IOException {
			ProtocolVersion version = exchange(target).getVersion();
			return HttpPeer.alpnName(version.getMajor(), version.getMinor());
		}

		private org.apache.hc.core5.http.HttpResponse exchange(Target target) throws IOException {
			return this.client.send(this.uris.computeIfAbsent(target, (key) -> key.url().uri()));
		}

		@Override
		public void close() {
			this.closer.run();
		}

		/** Sends {@code GET uri} and returns the response's head, its body read. */
		@FunctionalInterface
		interface Exchange {

			org.apache.hc.core5.http.HttpResponse send(URI uri) throws IOException;

		}

	}

	private static final class JdkPeer implements HttpPeer {

		private final HttpClient client;

		private final ExecutorService executor;

		private final Map<Target, HttpRequest> requests = new ConcurrentHashMap<>();

		JdkPeer(HttpClient client, ExecutorService executor) {
			this.client = client;
			this.executor = executor;
		}

		@Override
		public String name() {
			return "JDK HttpClient";
		}

		@Override
		public int get(Target target) throws IOException {
			return exchange(target).statusCode();
		}

		@Override
		public String protocol(Target target) throws IOException {
			return (exchange(target).version() == HttpClient.Version.HTTP_2) ? "h2" : "http/1.1";
		}

		private HttpResponse<byte[]> exchange(Target target) throws IOException {
			HttpRequest request = this.requests.computeIfAbsent(target, (key) -> HttpRequest
				.newBuilder(URI.create("https://" + key.addresses().get(0).getHostAddress() + ":" + key.port() + "/"))
				.timeout(EXCHANGE_DEADLINE)
				.build());
			try {
				return this.client.send(request, HttpResponse.BodyHandlers.ofByteArray());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted");
			}
		}

		@Override
		public void close() {
			// JDK 17's HttpClient has no close(): its connections go when it is unreachable; stop its threads.
			this.executor.shutdownNow();
		}

	}

	private record ReactorNettyPeer(reactor.netty.http.client.HttpClient client) implements HttpPeer {

		@Override
		public String name() {
			return "Reactor Netty HttpClient";
		}

		@Override
		public int get(Target target) throws IOException {
			return exchange(target, (response) -> response.status().code());
		}

		@Override
		public String protocol(Target target) throws IOException {
			return exchange(target, (response) -> HttpPeer.alpnName(response.version().majorVersion(),
					response.version().minorVersion()));
		}

		private <T> T exchange(Target target, Function<HttpClientResponse, T> read) throws IOException {
			try {
				return this.client.get()
					.uri(target.url().toString())
					.responseSingle((response, body) -> body.asByteArray()
						.then(Mono.fromSupplier(() -> read.apply(response))))
					.block(EXCHANGE_DEADLINE);
			}
			catch (RuntimeException ex) {
				// block() rethrows checked failures wrapped, and Reactor Netty's own (a full acquire queue) as they are
				Throwable cause = (ex.getCause() instanceof IOException io) ? io : ex;
				throw new IOException(cause.toString(), cause);
			}
		}

		@Override
		public void close() {
			// No quiet period: nothing is in flight when a client is closed. The pool and the event loops are disposed
			// at once, so closing a pooled connection may find its loop terminated, which has closed it already.
			HttpResources.disposeLoopsAndConnectionsLater(Duration.ZERO, Duration.ofSeconds(5))
				.onErrorResume(RejectedExecutionException.class, (ex) -> Mono.empty())
				.block(EXCHANGE_DEADLINE);
		}

	}

	/** Netty's resolver hook answering from the stub DNS, for Reactor Netty. */
	private static final class StubResolverGroup extends AddressResolverGroup<InetSocketAddress> {

		private final Map<String, List<InetAddress>> dns;

		StubResolverGroup(Map<String, List<InetAddress>> dns) {
			this.dns = dns;
		}

		@Override
		protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
			return new InetNameResolver(executor) {
				@Override
				protected void doResolve(String host, Promise<InetAddress> promise) {
					try {
						promise.setSuccess(lookup(StubResolverGroup.this.dns, host).get(0));
					}
					catch (UnknownHostException ex) {
						promise.setFailure(ex);
					}
				}

				@Override
				protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
					try {
						promise.setSuccess(lookup(StubResolverGroup.this.dns, host));
					}
					catch (UnknownHostException ex) {
						promise.setFailure(ex);
					}
				}
			}.asAddressResolver();
		}

	}

}
