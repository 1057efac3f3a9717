"""Dependencies the routes declare: settings, the app's one async driver, the viewer's reader."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from neo4j import AsyncDriver

from api.security import Role, RoleDep
from graph.db.reader import Reader
from graph.db.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_driver(request: Request) -> AsyncDriver:
    driver: AsyncDriver = request.app.state.driver
    return driver


SettingsDep = Annotated[Settings, Depends(get_settings)]
DriverDep = Annotated[AsyncDriver, Depends(get_driver)]


def get_reader(driver: DriverDep, settings: SettingsDep, role: RoleDep) -> Reader:
    """The caller's reads: the public role's queries redact restricted identities."""
    return Reader(driver, settings, public=role == Role.public)


ReaderDep = Annotated[Reader, Depends(get_reader)]
