"""Demo and test data, built through the product's services.

``seed_demo`` and the tests share these builders, so demo data has its permissions and
audit events like real data. Nothing in the product imports from here."""
