"""An edition's data: ``store`` (the CSV tables, entities and groups, with their sources),
``releases`` (the files the IMF and the World Bank publish, in every recent layout),
``importing`` (those releases → the edition's CSV files, all or nothing), ``ordering`` (the
``sort`` of charts and tables by value) and ``geography`` (Natural Earth outlines → the locator
map's ``map.geojson``)."""
