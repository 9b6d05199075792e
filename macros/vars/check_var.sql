{#- Check one var's value against its var_spec() entry; return it as the type the
    SQL needs (an int, a float, a bool, or a string that can only hold the
    characters its pattern allows), or raise a compiler error naming the var, the
    value and what is allowed. Numbers must be numbers: '0.9 or true' or 'seven'
    never reach SQL, NaN and infinity fail the range check. -#}
{%- macro check_var(name, value, spec) -%}
    {%- set kind = spec['kind'] -%}
    {%- set re = modules.re -%}
    {#- what is allowed, for the message -#}
    {%- if kind in ['integer', 'number'] -%}
        {%- set low = ('> ' ~ spec['above']) if spec.get('above') is not none else ('>= ' ~ spec['min']) -%}
        {%- set allowed = ('a whole number' if kind == 'integer' else 'a number') ~ ' ' ~ low
            ~ ' and <= ' ~ spec['max'] ~ ' (' ~ spec['unit'] ~ ')' -%}
    {%- elif kind == 'boolean' -%}
        {%- set allowed = 'true or false (a YAML boolean, not a string)' -%}
    {%- elif kind == 'identifier' -%}
        {%- set allowed = 'a name matching ^[A-Za-z_][A-Za-z0-9_-]*$ (at most 1024 characters)' -%}
    {%- elif kind == 'timestamp' -%}
        {%- set allowed = "a UTC timestamp 'YYYY-MM-DD HH:MM:SS'" -%}
    {%- elif kind == 'date' -%}
        {%- set allowed = "a date 'YYYY-MM-DD'" -%}
    {%- elif kind == 'time' -%}
        {%- set allowed = "a time of day 'HH:MM:SS' (quoted: YAML reads an unquoted 13:00:00 as a number)" -%}
    {%- elif kind == 'timezone' -%}
        {%- set allowed = 'an IANA time zone name, e.g. America/New_York' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error('var_spec: ' ~ name ~ ' has an unknown kind ' ~ kind) }}
    {%- endif -%}
    {%- if spec.get('nullable') -%}
        {%- set allowed = allowed ~ ', or null' -%}
    {%- endif -%}

    {%- set ok = namespace(value=none, valid=false) -%}
    {%- if value is none -%}
        {%- set ok.valid = spec.get('nullable', false) -%}
    {%- elif kind in ['integer', 'number'] -%}
        {%- set numeric = (value is integer) if kind == 'integer' else (value is integer or value is float) -%}
        {%- if numeric and value is not boolean -%}
            {#- written so that NaN (every comparison false) fails too -#}
            {%- set above_low = (value > spec['above']) if spec.get('above') is not none else (value >= spec['min']) -%}
            {%- if above_low and value <= spec['max'] -%}
                {%- set ok.value = value -%}
                {%- set ok.valid = true -%}
            {%- endif -%}
        {%- endif -%}
    {%- elif kind == 'boolean' -%}
        {%- if value is sameas true or value is sameas false -%}
            {%- set ok.value = value -%}
            {%- set ok.valid = true -%}
        {%- endif -%}
    {%- elif kind == 'identifier' -%}
        {%- if value is string and re.fullmatch('[A-Za-z_][A-Za-z0-9_-]{0,1023}', value) -%}
            {%- set ok.value = value -%}
            {%- set ok.valid = true -%}
        {%- endif -%}
    {%- elif kind in ['timestamp', 'date'] -%}
        {#- an unquoted YAML timestamp or date arrives as a datetime or a date: accept
            a naive datetime (UTC) for a timestamp, a date (no time part) for a date -#}
        {%- if value is string -%}
            {%- set text = value -%}
        {%- elif kind == 'timestamp' and value.hour is defined and value.tzinfo is defined and value.tzinfo is none -%}
            {%- set text = value.strftime('%Y-%m-%d %H:%M:%S') -%}
        {%- elif kind == 'date' and value.year is defined and value.hour is not defined -%}
            {%- set text = value.strftime('%Y-%m-%d') -%}
        {%- else -%}
            {%- set text = '' -%}
        {%- endif -%}
        {%- set time_part = ' ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]' if kind == 'timestamp' else '' -%}
        {%- set m = re.fullmatch('([0-9]{4})-([0-9]{2})-([0-9]{2})' ~ time_part, text) -%}
        {%- if m -%}
            {%- set y, mo, d = m.group(1) | int, m.group(2) | int, m.group(3) | int -%}
            {%- set leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 -%}
            {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
            {%- if y >= 1900 and y <= 2999 and mo >= 1 and mo <= 12 and d >= 1 and d <= month_days[mo - 1] -%}
                {%- set ok.value = text -%}
                {%- set ok.valid = true -%}
            {%- endif -%}
        {%- endif -%}
    {%- elif kind == 'time' -%}
        {%- if value is string and re.fullmatch('([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]', value) -%}
            {%- set ok.value = value -%}
            {%- set ok.valid = true -%}
        {%- endif -%}
    {%- elif kind == 'timezone' -%}
        {%- if value is string and re.fullmatch('[A-Za-z][A-Za-z0-9_+-]{0,63}(/[A-Za-z0-9_+-]{1,64}){0,3}', value)
            and value in modules.pytz.all_timezones -%}
            {%- set ok.value = value -%}
            {%- set ok.valid = true -%}
        {%- endif -%}
    {%- endif -%}

    {%- if not ok.valid -%}
        {%- if value is none -%}
            {%- set shown = 'null (not set)' -%}
        {%- elif value is string -%}
            {%- set shown = "'" ~ value ~ "' (a string)" -%}
        {%- elif value is boolean -%}
            {%- set shown = (value | string | lower) ~ ' (a boolean)' -%}
        {%- else -%}
            {%- set shown = value | string -%}
        {%- endif -%}
        {{ exceptions.raise_compiler_error(
            'Invalid var ' ~ name ~ ' = ' ~ shown ~ ': allowed is ' ~ allowed
            ~ '. Set it in dbt_project.yml (vars) or with --vars.') }}
    {%- endif -%}
    {{ return(ok.value) }}
{%- endmacro -%}
