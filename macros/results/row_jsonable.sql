{#- A failing row's value as JSON holds it, the way warehouse.py's jsonable() writes
    what the Python client returns: dbt hands the hook agate values, where every
    number is a Decimal (a whole Decimal is an integer column's value, one with a
    fractional exponent a float's), NaN and infinities become text, dates ISO. -#}
{%- macro row_jsonable(v) -%}
    {%- if v is none or v is boolean or v is string -%}
        {{ return(v) }}
    {%- elif v is number and v.as_tuple is defined -%}
        {%- set exponent = v.as_tuple().exponent -%}
        {%- if exponent is not number -%}
            {{ return(v | float | string) }}
        {%- elif exponent >= 0 -%}
            {{ return(v | int) }}
        {%- endif -%}
        {{ return(v | float) }}
    {%- elif v is number -%}
        {{ return(v if (v - v) == 0 else v | string) }}
    {%- elif v.isoformat is defined and v.hour is defined -%}
        {#- the Python client's BigQuery rows are naive UTC (warehouse._naive_utc) -#}
        {%- if target.type == 'bigquery' and v.utcoffset() is not none -%}
            {{ return(v.astimezone(modules.pytz.utc).replace(tzinfo=none).isoformat(sep=' ')) }}
        {%- endif -%}
        {{ return(v.isoformat(sep=' ')) }}
    {%- elif v.isoformat is defined -%}
        {{ return(v.isoformat()) }}
    {%- elif v.hex is defined and v.decode is defined -%}
        {{ return(v.hex()) }}
    {%- endif -%}
    {{ return(v | string) }}
{%- endmacro -%}
