"""django-import-export resources: natural codes, never database ids."""

from import_export import fields, resources

from .models import Organisation


class OrganisationResource(resources.ModelResource):
    """Organisations as code,name,type,province,district (the import sheet's columns)."""

    type = fields.Field(attribute="org_type", column_name="type")

    class Meta:
        model = Organisation
        import_id_fields = ["code"]
        fields = ["code", "name", "type", "province", "district"]
        export_order = ["code", "name", "type", "province", "district"]
        skip_unchanged = True
        report_skipped = False
        use_transactions = True
