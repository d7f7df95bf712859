/**
 * Adapters that let Spring's HTTP clients send their requests over the hot connection pool.
 */
package io.hotconnpool.http;
