package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.hotconnpool.tls.NoDelaySocketFactory;
import io.hotconnpool.tls.TlsContext;
import okhttp3.ConnectionPool;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;

/**
 * The peers the pool is compared with, each configured as users ship it: only the trusted CA (all of them verify
 * the certificate and host name) and, where the client has a hook for it, the stub DNS differ from the defaults.
 */
public final class Peers {

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
	public static HttpPeer okHttp(BenchmarkTls tls, Collection<Target> targets) {
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
	public static HttpPeer rawEngine(BenchmarkTls tls, Collection<Target> targets, List<Protocol> protocols,
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
	public static HttpPeer apache(BenchmarkTls tls, Collection<Target> targets) {
		Map<String, List<InetAddress>> dns = dns(targets);
		DnsResolver resolver = new DnsResolver() {
			@Override
			public InetAddress[] resolve(String host) throws UnknownHostException {
				return lookup(dns, host).toArray(InetAddress[]::new);
			}

			@Override
			public String resolveCanonicalHostname(String host) {
				return host;
			}
		};
		CloseableHttpClient client = HttpClients.custom()
			.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
				.setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls.client().sslContext()).buildClassic())
				.setDnsResolver(resolver)
				.build())
			.build();
		return new ApachePeer(client);
	}

	/**
	 * The JDK's {@link HttpClient} (HTTP/2), defaults otherwise. JDK 17 has no resolver hook: it addresses the
	 * host's first IP literally, which the certificate lists; the connection costs the same.
	 */
	public static HttpPeer jdk(BenchmarkTls tls) {
		ExecutorService executor = Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "jdk-http-client");
			thread.setDaemon(true);
			return thread;
		});
		HttpClient client = HttpClient.newBuilder().sslContext(tls.client().sslContext()).executor(executor).build();
		return new JdkPeer(client, executor);
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

	private static final class OkHttpPeer implements HttpPeer {

		private final String name;

		private final OkHttpClient client;

		OkHttpPeer(String name, OkHttpClient client) {
			this.name = name;
			this.client = client;
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public int get(Target target) throws IOException {
			try (Response response = this.client.newCall(new Request.Builder().url(target.url()).build()).execute()) {
				response.body().string();
				return response.code();
			}
		}

		@Override
		public void close() {
			this.client.dispatcher().executorService().shutdown();
			this.client.connectionPool().evictAll();
		}

	}

	private static final class ApachePeer implements HttpPeer {

		private final CloseableHttpClient client;

		/** One URI per target: the peers' request building is not what is measured. */
		private final Map<Target, URI> uris = new ConcurrentHashMap<>();

		ApachePeer(CloseableHttpClient client) {
			this.client = client;
		}

		@Override
		public String name() {
			return "Apache HttpClient 5 (pooling)";
		}

		@Override
		public int get(Target target) throws IOException {
			URI uri = this.uris.computeIfAbsent(target, (key) -> key.url().uri());
			return this.client.execute(new HttpGet(uri), (response) -> {
				EntityUtils.consume(response.getEntity());
				return response.getCode();
			});
		}

		@Override
		public void close() {
			this.client.close(CloseMode.IMMEDIATE);
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
			HttpRequest request = this.requests.computeIfAbsent(target, (key) -> HttpRequest
				.newBuilder(URI.create("https://" + key.addresses().get(0).getHostAddress() + ":" + key.port() + "/"))
				.build());
			try {
				return this.client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
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

}
