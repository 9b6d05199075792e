{#- GENERATED from seeds/invariants.csv by `props-contracts invariants --macro` (do not edit;
    pytests/test_catalog_and_freshness.py fails when it differs from the CSV): the catalog's
    invariant IDs, the key tests that need none, and the test-macro cases exempt, for
    check_contract_ids() in on-run-start. -#}
{%- macro contract_catalog() -%}
    {{ return({
        'invariant_ids': [
            'EXP-01',
            'EXP-02',
            'EXP-03',
            'FRS-01',
            'FRS-02',
            'FRS-03',
            'ING-01',
            'ING-02',
            'ING-03',
            'ING-04',
            'ING-05',
            'ING-06',
            'ORC-01',
            'ORC-02',
            'ORC-03',
            'PRC-01',
            'PRC-02',
            'PRC-03',
            'PRC-04',
            'PRC-05',
            'PRC-06',
            'PRC-07',
            'PRC-08',
            'PRD-01',
            'PRD-02',
            'PRD-03',
            'PRD-04',
            'PRD-05',
            'PRD-06',
            'PRD-07',
            'PRD-08',
            'PRD-09',
            'PRD-10',
            'PRD-11',
            'PRD-12',
            'SCH-01',
            'SCH-02',
        ],
        'key_tests': ['pc_primary_key'],
        'harness_paths': ['seeds/generic_test_cases/'],
    }) }}
{%- endmacro -%}
