"""An edition's data: ``store`` (the CSV tables, entities and groups, with their sources),
``importing`` (IMF WEO and World Bank WDI releases → the edition's CSV files) and ``geography``
(Natural Earth outlines → the locator map's ``map.geojson``)."""
