/**
 * Reading a component's configuration safely: every value parsed and range-checked by
 * {@link io.sink.api.config.ConfigReader}, a refused value reported by an
 * {@link io.sink.api.config.InvalidConfigurationException} that names the PID, the property, the value
 * and why, so that a component's {@code @Modified} method can log ONE line and keep its previous
 * configuration.
 */
@Export
@Version("1.0.0")
package io.sink.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
