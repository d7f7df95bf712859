/**
 * Loopback TLS origins, a test CA, a latency/fault TCP proxy and a loopback {@code redis-server} shared by the
 * project's tests, benchmarks and sample app. Pool-agnostic on purpose: the pool's tests use this package, so it
 * cannot depend on the pool (a Maven reactor cycle); the one class that builds a pool over these origins lives with
 * each consumer (the autoconfigure tests' {@code LoopbackTlsOrigins}, the benchmarks' {@code PoolPeer}).
 */
package io.hotconnpool.test;
