package io.hotconnpool.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * An application of the pool's auto-configuration alone, started as a user's is, without a web server: its settings
 * come from a YAML file on the class path, and a start-up failure is reported on the console by the failure analyzers.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration({ SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class })
class PoolApplication {

	/**
	 * Runs the application.
	 * @param configName the name of its settings file, without {@code .yml}
	 * @param settings further settings, as command-line arguments: {@code --hotconnpool.some.property=value}
	 * @return the running context
	 */
	static ConfigurableApplicationContext run(String configName, String... settings) {
		SpringApplication application = new SpringApplication(PoolApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		List<String> args = new ArrayList<>(List.of(settings));
		args.add(0, "--spring.config.name=" + configName);
		return application.run(args.toArray(String[]::new));
	}

}
