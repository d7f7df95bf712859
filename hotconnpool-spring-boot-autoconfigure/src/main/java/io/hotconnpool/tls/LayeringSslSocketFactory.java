package io.hotconnpool.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.ssl.SSLSocketFactory;

/**
 * An {@link SSLSocketFactory} whose connecting methods open a TCP socket and layer TLS over it, as OkHttp does itself:
 * a subclass implements only {@link #createSocket(Socket, String, int, boolean) layering}.
 */
abstract class LayeringSslSocketFactory extends SSLSocketFactory {

	@Override
	public Socket createSocket(String host, int port) throws IOException {
		return createSocket(new Socket(host, port), host, port, true);
	}

	@Override
	public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
		return createSocket(new Socket(host, port, localHost, localPort), host, port, true);
	}

	@Override
	public Socket createSocket(InetAddress host, int port) throws IOException {
		return createSocket(new Socket(host, port), host.getHostName(), port, true);
	}

	@Override
	public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
			throws IOException {
		return createSocket(new Socket(address, port, localAddress, localPort), address.getHostName(), port, true);
	}

}
