package io.hotconnpool.tls;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;

import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

/**
 * A client {@link SSLSocket} over an open TCP socket whose handshake is the browser engine's
 * ({@link BrowserTlsClientProtocol}): what OkHttp needs of an SSLSocket and nothing more.
 * <p>
 * OkHttp sets ALPN through {@link #setSSLParameters(SSLParameters)} and reads the result from
 * {@link #getApplicationProtocol()}, as on any JDK 9+ socket. The cipher suites and versions are the browser's and
 * fixed: the setters accept what OkHttp's connection spec sets (the profile's own lists) and change nothing.
 * Certificate and host-name verification happen during the handshake ({@link BrowserTlsClient}); OkHttp's host-name
 * verifier runs again afterwards.
 * <p>
 * Closing it never waits on the peer, and always closes the transport (as Bouncy Castle's close does after
 * close_notify), whatever {@code autoClose} the factory was given: see {@link #close()}.
 */
final class BrowserSslSocket extends SSLSocket {

	private static final String[] VERSIONS = { "TLSv1.3", "TLSv1.2" };

	/** How long {@link #close()} lets close_notify wait for the transport before closing it under the write. */
	private static final long CLOSE_NOTIFY_TIMEOUT_MILLIS = 1000;

	private final BrowserHello hello;

	private final Socket transport;

	private final String host;

	private final int port;

	private final TlsCrypto crypto;

	private final X509TrustManager trustManager;

	private final SecureRandom random;

	private volatile List<String> applicationProtocols = List.of();

	private volatile BrowserTlsClientProtocol protocol;

	private volatile InputStream input;

	private volatile OutputStream output;

	/**
	 * Held by the application's writes, across the write (as the JDK's SSLSocket holds its record lock);
	 * {@link #close()} only tries it, so that close_notify never queues behind a write stuck on the peer.
	 */
	private final ReentrantLock writeLock = new ReentrantLock();

	private volatile BrowserSslSession session;

	private final AtomicBoolean closed = new AtomicBoolean();

	BrowserSslSocket(BrowserHello hello, Socket transport, String host, int port, TlsCrypto crypto,
			X509TrustManager trustManager, SecureRandom random) {
		this.hello = hello;
		this.transport = transport;
		this.host = host;
		this.port = port;
		this.crypto = crypto;
		this.trustManager = trustManager;
		this.random = random;
	}

	/**
	 * Handshakes once; later calls return at once. The monitor keeps a second caller from starting another handshake;
	 * {@link #close()} does not take it, so closing from another thread ends a handshake waiting for the server.
	 */
	@Override
	public void startHandshake() throws IOException {
		if (this.session != null) {
			return;
		}
		synchronized (this) {
			if (this.session == null) {
				handshake();
			}
		}
	}

	private void handshake() throws IOException {
		if (this.closed.get()) {
			throw new SocketException("Socket is closed");
		}
		BrowserTlsClient client = new BrowserTlsClient(this.crypto, this.hello, this.host, this.applicationProtocols,
				this.trustManager, this.random);
		BrowserTlsClientProtocol protocol = new BrowserTlsClientProtocol(this.transport.getInputStream(),
				this.transport.getOutputStream(), client, this.hello, this.hello.draw(this.random));
		try {
			protocol.connect();
		}
		catch (TlsFatalAlert | TlsFatalAlertReceived ex) {
			closeQuietly();
			SSLHandshakeException failure = new SSLHandshakeException(ex.getMessage());
			failure.initCause(ex);
			throw failure;
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly();
			throw ex;
		}
		this.input = new Input(protocol.getInputStream());
		this.output = new Output(protocol.getOutputStream(),
				plaintextLimit(client.serverRecordSizeLimit(), client.context().getServerVersion()));
		this.protocol = protocol;
		this.session = new BrowserSslSession(client.context(), this.hello, this.host, this.port);
		if (this.closed.get()) { // closed while the handshake finished: close_notify was not sent, the transport is shut
			throw new SocketException("Socket is closed");
		}
	}

	@Override
	public InputStream getInputStream() throws IOException {
		startHandshake();
		return this.input;
	}

	@Override
	public OutputStream getOutputStream() throws IOException {
		startHandshake();
		return this.output;
	}

	/**
	 * The most application bytes one record may carry under the server's record_size_limit (RFC 8449, offered by
	 * {@code firefox}), which Bouncy Castle does not apply; {@link Integer#MAX_VALUE} when there is none to apply.
	 */
	private static int plaintextLimit(int limit, ProtocolVersion version) {
		// TLS 1.3 counts the content type byte in the limit.
		int plaintextLimit = TlsUtils.isTLSv13(version) ? limit - 1 : limit;
		return (limit < 0 || plaintextLimit >= 1 << 14) ? Integer.MAX_VALUE : plaintextLimit;
	}

	@Override
	public SSLSession getSession() {
		BrowserSslSession current = this.session;
		return (current != null) ? current : BrowserSslSession.NONE;
	}

	@Override
	public String getApplicationProtocol() {
		BrowserSslSession current = this.session;
		return (current != null) ? current.applicationProtocol() : null;
	}

	@Override
	public SSLParameters getSSLParameters() {
		SSLParameters parameters = new SSLParameters(getEnabledCipherSuites(), getEnabledProtocols());
		parameters.setApplicationProtocols(this.applicationProtocols.toArray(String[]::new));
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		return parameters;
	}

	@Override
	public void setSSLParameters(SSLParameters parameters) {
		this.applicationProtocols = List.of(parameters.getApplicationProtocols());
	}

	/**
	 * Closes the transport, after a handshake first sending close_notify when that cannot wait on the peer: not while
	 * a write is under way (the JDK's SSLSocket skips it then too), and for at most
	 * {@value #CLOSE_NOTIFY_TIMEOUT_MILLIS} ms otherwise (a full send buffer, or a write Bouncy Castle makes while
	 * reading), after which the transport is closed under it. OkHttp closes a socket whose write timed out from Okio's
	 * one watchdog thread: waiting there would stop every OkHttp timeout in the JVM.
	 */
	@Override
	public void close() throws IOException {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		BrowserTlsClientProtocol established = this.protocol;
		try {
			if (established != null && this.writeLock.tryLock()) {
				try {
					sendCloseNotify(established);
				}
				finally {
					this.writeLock.unlock();
				}
			}
		}
		finally {
			this.transport.close();
		}
	}

	private void sendCloseNotify(BrowserTlsClientProtocol established) {
		// Runs on the JDK's delay thread: closing a TCP socket does not block.
		CompletableFuture<Void> deadline = CompletableFuture.runAsync(this::closeTransportQuietly,
				CompletableFuture.delayedExecutor(CLOSE_NOTIFY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS, Runnable::run));
		try {
			established.close(); // close_notify, then the transport's streams
		}
		catch (IOException ex) {
			// the socket is closed as asked; close_notify is a courtesy the peer did not take
		}
		finally {
			deadline.cancel(false);
		}
	}

	private void closeTransportQuietly() {
		try {
			this.transport.close();
		}
		catch (IOException ex) {
			// closed is all that was asked
		}
	}

	private void closeQuietly() {
		try {
			close();
		}
		catch (IOException ex) {
			// the handshake failure is what the caller needs to see
		}
	}

	@Override
	public boolean isClosed() {
		return this.closed.get() || this.transport.isClosed();
	}

	@Override
	public String[] getSupportedCipherSuites() {
		return this.hello.cipherSuiteNames().toArray(String[]::new);
	}

	@Override
	public String[] getEnabledCipherSuites() {
		return getSupportedCipherSuites();
	}

	@Override
	public void setEnabledCipherSuites(String[] suites) {
		// fixed by the browser profile
	}

	@Override
	public String[] getSupportedProtocols() {
		return VERSIONS.clone();
	}

	@Override
	public String[] getEnabledProtocols() {
		return VERSIONS.clone();
	}

	@Override
	public void setEnabledProtocols(String[] protocols) {
		// fixed by the browser profile
	}

	@Override
	public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
		throw new UnsupportedOperationException("The browser TLS engine has no handshake listeners");
	}

	@Override
	public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
		throw new UnsupportedOperationException("The browser TLS engine has no handshake listeners");
	}

	@Override
	public void setUseClientMode(boolean mode) {
		if (!mode) {
			throw new IllegalArgumentException("The browser TLS engine is a client");
		}
	}

	@Override
	public boolean getUseClientMode() {
		return true;
	}

	@Override
	public void setNeedClientAuth(boolean need) {
	}

	@Override
	public boolean getNeedClientAuth() {
		return false;
	}

	@Override
	public void setWantClientAuth(boolean want) {
	}

	@Override
	public boolean getWantClientAuth() {
		return false;
	}

	@Override
	public void setEnableSessionCreation(boolean flag) {
	}

	@Override
	public boolean getEnableSessionCreation() {
		return true;
	}

	// The TCP side is the transport's.

	@Override
	public void setSoTimeout(int timeout) throws SocketException {
		this.transport.setSoTimeout(timeout);
	}

	@Override
	public int getSoTimeout() throws SocketException {
		return this.transport.getSoTimeout();
	}

	@Override
	public void setTcpNoDelay(boolean on) throws SocketException {
		this.transport.setTcpNoDelay(on);
	}

	@Override
	public boolean getTcpNoDelay() throws SocketException {
		return this.transport.getTcpNoDelay();
	}

	@Override
	public void setKeepAlive(boolean on) throws SocketException {
		this.transport.setKeepAlive(on);
	}

	@Override
	public boolean getKeepAlive() throws SocketException {
		return this.transport.getKeepAlive();
	}

	@Override
	public InetAddress getInetAddress() {
		return this.transport.getInetAddress();
	}

	@Override
	public InetAddress getLocalAddress() {
		return this.transport.getLocalAddress();
	}

	@Override
	public int getPort() {
		return this.transport.getPort();
	}

	@Override
	public int getLocalPort() {
		return this.transport.getLocalPort();
	}

	@Override
	public SocketAddress getRemoteSocketAddress() {
		return this.transport.getRemoteSocketAddress();
	}

	@Override
	public SocketAddress getLocalSocketAddress() {
		return this.transport.getLocalSocketAddress();
	}

	@Override
	public boolean isConnected() {
		return this.transport.isConnected();
	}

	@Override
	public boolean isBound() {
		return this.transport.isBound();
	}

	@Override
	public boolean isInputShutdown() {
		return this.transport.isInputShutdown();
	}

	@Override
	public boolean isOutputShutdown() {
		return this.transport.isOutputShutdown();
	}

	@Override
	public void shutdownInput() throws IOException {
		throw new UnsupportedOperationException("shutdownInput is not supported on a TLS socket");
	}

	@Override
	public void shutdownOutput() throws IOException {
		throw new UnsupportedOperationException("shutdownOutput is not supported on a TLS socket");
	}

	@Override
	public String toString() {
		return "BrowserSslSocket[" + this.host + ":" + this.port + ", " + this.transport + "]";
	}

	/**
	 * The application's reads. Closing them closes the socket, as the JDK's do: Bouncy Castle's own close would write
	 * close_notify without {@link #close()}'s care.
	 */
	private final class Input extends FilterInputStream {

		Input(InputStream records) {
			super(records);
		}

		@Override
		public void close() throws IOException {
			BrowserSslSocket.this.close();
		}

	}

	/**
	 * The application's writes: one at a time under {@link #writeLock}, each record within the plaintext limit (Bouncy
	 * Castle writes at most one record per call, of at most the bytes handed over). Closing them closes the socket.
	 */
	private final class Output extends OutputStream {

		private final OutputStream records;

		private final int plaintextLimit;

		Output(OutputStream records, int plaintextLimit) {
			this.records = records;
			this.plaintextLimit = plaintextLimit;
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			BrowserSslSocket.this.writeLock.lock();
			try {
				for (int at = 0; at < length;) {
					int chunk = Math.min(this.plaintextLimit, length - at);
					this.records.write(bytes, offset + at, chunk);
					at += chunk;
				}
			}
			finally {
				BrowserSslSocket.this.writeLock.unlock();
			}
		}

		@Override
		public void flush() throws IOException {
			BrowserSslSocket.this.writeLock.lock();
			try {
				this.records.flush();
			}
			finally {
				BrowserSslSocket.this.writeLock.unlock();
			}
		}

		@Override
		public void close() throws IOException {
			BrowserSslSocket.this.close();
		}

	}

}
