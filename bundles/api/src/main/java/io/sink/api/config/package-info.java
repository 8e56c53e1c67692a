/**
 * Support for components' typed configuration: checking that every configured value could be
 * converted, so that a bad one is refused with a message naming the property and the value.
 */
@Export
@Version("1.0.0")
package io.sink.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
