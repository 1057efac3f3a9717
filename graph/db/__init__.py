"""Storage and Cypher: settings, the local Neo4j, drivers, every statement, the redacting reader."""
