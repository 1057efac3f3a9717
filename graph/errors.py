"""Errors raised by the graph package; every one derives from GraphError (a SilsilaError)."""

from __future__ import annotations

from ontology.errors import SilsilaError


class GraphError(SilsilaError):
    """Root of every error the graph package raises."""


class GraphUnavailableError(GraphError):
    """Neo4j does not answer over Bolt (stopped, starting, or unreachable)."""


class QueryError(GraphError):
    """Neo4j answered but refused or failed a statement."""


class SchemaMissingError(GraphUnavailableError):
    """The graph has no name index yet (nothing was ever loaded into this database)."""


class RuntimeSetupError(GraphError):
    """The local Neo4j cannot be fetched or started; the message says what to fix."""


class JavaMissingError(RuntimeSetupError):
    """No `java` executable was found."""


class JavaVersionError(RuntimeSetupError):
    """The `java` found is not a version Neo4j 5.26 runs on."""


class MavenMissingError(RuntimeSetupError):
    """Neo4j is not fetched yet and no `mvn` executable was found to fetch it."""


class FetchError(RuntimeSetupError):
    """Maven could not fetch Neo4j from Maven Central."""


class PortTakenError(RuntimeSetupError):
    """Another process already listens on the configured Bolt port."""


class NotEnoughMemoryError(RuntimeSetupError):
    """The machine has less free memory than the configured heap and page cache."""


class MemoryRecommendationError(RuntimeSetupError):
    """`neo4j-admin server memory-recommendation` failed or printed no sizes."""


class AdminImportError(RuntimeSetupError):
    """`neo4j-admin database import full` failed; the database is left empty."""


class StartTimeoutError(RuntimeSetupError):
    """Neo4j did not answer on Bolt within the start timeout."""


class ServerExitedError(RuntimeSetupError):
    """The Neo4j process exited while starting."""


class CredentialsLostError(RuntimeSetupError):
    """The data folder has a password set but the recorded connection file is gone."""


class ConnectionClosedError(GraphError, RuntimeError):
    """A connection (a notebook's `Silsila()`) was used after it was closed; open another.

    Also a RuntimeError, as it was before Silsila's errors had one root."""


class CredentialsRejectedError(GraphError):
    """No password is known, or Neo4j refused the one given."""


class NotFoundError(GraphError):
    """No record has the id asked for (or the viewer may not see it)."""


class ReadOnlyViolationError(GraphError):
    """A caller's statement would write, or uses a procedure or clause the read-only runner bars."""


class InvalidStatementError(QueryError):
    """A caller's own statement is malformed, too slow, or refused by Neo4j (not our bug)."""


class InvalidRequestError(GraphError):
    """A query's own parameters make no sense (no words to search, a date that is not one)."""
