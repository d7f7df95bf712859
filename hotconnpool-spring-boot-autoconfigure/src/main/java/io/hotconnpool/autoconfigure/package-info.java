/**
 * Spring Boot auto-configuration of the hot connection pool: properties, auto-configurations and start-up failure
 * analysis.
 */
package io.hotconnpool.autoconfigure;
