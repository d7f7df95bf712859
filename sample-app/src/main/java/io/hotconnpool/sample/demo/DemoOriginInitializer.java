package io.hotconnpool.sample.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the {@link DemoOrigin} before any bean exists (so before the pool warms) when
 * {@code demo.origin.enabled} is {@code true} (the default), and publishes what the configuration needs:
 * {@code demo.origin.port} and the SSL bundle {@code demo} trusting the generated CA. The origin is registered as
 * a disposable singleton, so it stops when the context closes, after the pool has drained.
 */
public class DemoOriginInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	/** The bean name of the running {@link DemoOrigin}. */
	public static final String BEAN_NAME = "demoOrigin";

	private static final Log logger = LogFactory.getLog(DemoOriginInitializer.class);

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		if (!environment.getProperty("demo.origin.enabled", Boolean.class, true)) {
			return;
		}
		DemoOrigin origin;
		try {
			origin = DemoOrigin.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start the demo origin on " + DemoOrigin.ADDRESSES, ex);
		}
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("demo.origin.port", origin.port());
		properties.put("spring.ssl.bundle.pem.demo.truststore.certificate", origin.caCertificatePem());
		environment.getPropertySources().addFirst(new MapPropertySource("demoOrigin", properties));
		context.getBeanFactory().registerSingleton(BEAN_NAME, origin);
		((org.springframework.beans.factory.support.DefaultListableBeanFactory) context.getBeanFactory())
			.registerDisposableBean(BEAN_NAME, () -> {
				origin.close();
				logger.info("Demo origin stopped");
			});
		logger.info("Demo origin https://" + origin.target() + " started on " + DemoOrigin.ADDRESSES
				+ " with a CA generated at start");
	}

}
