/**
 * Reading a component's configuration safely, so that a bad value is refused with ONE line naming the
 * PID, the property, the value and why, and the component keeps its previous configuration:
 * {@link io.sink.api.config.ConfigurationCheck} checks that every value of a typed DS configuration
 * could be converted; {@link io.sink.api.config.ConfigReader} parses and range-checks raw properties,
 * and {@link io.sink.api.config.InvalidConfigurationException} reports a refused one.
 */
@Export
@Version("1.0.0")
package io.sink.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
