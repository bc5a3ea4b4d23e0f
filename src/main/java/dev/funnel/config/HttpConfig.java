package dev.funnel.config;

/**
 * @param host interface to bind
 * @param port TCP port, 0 = any free port
 * @param instances HTTP verticle instances (one event loop each), at least 1
 * @param maxBodyBytes largest request body in bytes
 */
public record HttpConfig(String host, int port, int instances, int maxBodyBytes) {}
