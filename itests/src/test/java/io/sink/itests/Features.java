package io.sink.itests;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The bundles of the Karaf features of {@code features/} (the one list the distribution and the Karaf
 * test are made from), read from the filtered feature repository named by the system property
 * {@value #PROPERTY}: the containers' third-party bundles are taken from there, not listed again.
 */
final class Features {

    static final String PROPERTY = "sink.features.file";

    private static Map<String, List<String>> features;

    private Features() {
    }

    /**
     * The {@code mvn:} URLs of a feature's own bundles (not those of the features it includes) that
     * start with one of {@code prefixes}, in the feature's order.
     *
     * @throws IllegalStateException if the feature is missing, or no bundle matches a prefix
     */
    static List<String> bundles(String feature, String... prefixes) {
        List<String> all = all().get(feature);
        if (all == null) {
            throw new IllegalStateException("no feature " + feature + " in " + System.getProperty(PROPERTY)
                    + " (features: " + all().keySet() + ")");
        }
        List<String> matching = new ArrayList<>();
        for (String prefix : prefixes) {
            List<String> found = all.stream().filter(url -> url.startsWith(prefix)).toList();
            if (found.isEmpty()) {
                throw new IllegalStateException("feature " + feature + " has no bundle " + prefix + "...: "
                        + all);
            }
            matching.addAll(found);
        }
        return matching;
    }

    private static synchronized Map<String, List<String>> all() {
        if (features == null) {
            features = read();
        }
        return features;
    }

    private static Map<String, List<String>> read() {
        String path = System.getProperty(PROPERTY);
        if (path == null || path.isBlank() || path.startsWith("${") || !new File(path).isFile()) {
            throw new IllegalStateException("system property " + PROPERTY + " names no file ('" + path
                    + "'): itests/pom.xml passes ${io.sink:sink-features:xml:features}, the feature repository"
                    + " that features/ builds; when running outside Maven, pass -D" + PROPERTY
                    + "=features/target/feature/feature.xml");
        }
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setNamespaceAware(true);
            Element root = factory.newDocumentBuilder().parse(new File(path)).getDocumentElement();
            Map<String, List<String>> byName = new LinkedHashMap<>();
            NodeList featureElements = root.getElementsByTagNameNS("*", "feature");
            for (int i = 0; i < featureElements.getLength(); i++) {
                Element feature = (Element) featureElements.item(i);
                if (!feature.getParentNode().isSameNode(root)) {
                    continue; // a <feature> inside a feature names an included feature
                }
                List<String> urls = new ArrayList<>();
                NodeList bundles = feature.getElementsByTagNameNS("*", "bundle");
                for (int j = 0; j < bundles.getLength(); j++) {
                    urls.add(bundles.item(j).getTextContent().strip());
                }
                byName.put(feature.getAttribute("name"), List.copyOf(urls));
            }
            return byName;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the feature repository " + path + ": " + e, e);
        }
    }
}
