"""Dependencies the routes declare: the settings and the app's one async driver."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from neo4j import AsyncDriver

from graph.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_driver(request: Request) -> AsyncDriver:
    driver: AsyncDriver = request.app.state.driver
    return driver


SettingsDep = Annotated[Settings, Depends(get_settings)]
DriverDep = Annotated[AsyncDriver, Depends(get_driver)]
