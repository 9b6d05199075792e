{#- Append rows (lists of SQL literals, in the table's declared column order) to an
    audit table in one INSERT; split only where one statement would pass BigQuery's
    1 MB query text limit. -#}
{%- macro insert_audit_rows(name, rows) -%}
    {%- if not rows -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set relation = props_contracts.audit_relation(name) -%}
    {%- set columns = [] -%}
    {%- for c in props_contracts.run_record_tables()[name].columns -%}
        {%- do columns.append(c[0]) -%}
    {%- endfor -%}
    {%- set head = 'insert into ' ~ relation ~ ' (' ~ columns | join(', ') ~ ') values\n' -%}
    {%- set ns = namespace(chunk=[], size=0, statements=0) -%}
    {%- for row in rows -%}
        {%- set tuple = '(' ~ row | join(', ') ~ ')' -%}
        {%- if ns.chunk and ns.size + tuple | length > 900000 -%}
            {%- do run_query(head ~ ns.chunk | join(',\n')) -%}
            {%- set ns.statements = ns.statements + 1 -%}
            {%- set ns.chunk = [] -%}
            {%- set ns.size = 0 -%}
        {%- endif -%}
        {%- do ns.chunk.append(tuple) -%}
        {%- set ns.size = ns.size + tuple | length + 2 -%}
    {%- endfor -%}
    {%- do run_query(head ~ ns.chunk | join(',\n')) -%}
    {{ return(ns.statements + 1) }}
{%- endmacro -%}
