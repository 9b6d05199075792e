{#- Circuit breakers against their processor's limits (seeds/processor_settings.csv, else
    the global vars; seed 004 CircuitBreakerConfig): every breaker updated or tripped in
    the window, or still in force at as_of however long ago it tripped.
    PRC-06: the lockout is no longer than entity_lockout_hours.
    PRC-13: a breaker trips at its entity_failure_threshold, not before and not after:
    a tripped breaker had at least that many failed attempts, and one with that many is
    tripped. -#}
with attempts as (
    select * from {{ ref('stg_nba_orchestration__reprocess_attempts') }}
    where
        {{ props_contracts.ts_in_window('updated_at') }}
        or (
            circuit_breaker_tripped
            and (
                {{ props_contracts.ts_in_window('tripped_at') }}
                or tripped_at is null
                or circuit_breaker_until is null
                or circuit_breaker_until > {{ props_contracts.as_of() }}
            )
        )
),

settings as (
    {{ props_contracts.processor_settings_sql() }}
),

limits as (
    select
        attempts.processor_name,
        attempts.entity_id,
        attempts.analysis_date,
        attempts.attempt_count,
        attempts.completeness_pct,
        attempts.circuit_breaker_tripped,
        attempts.tripped_at,
        attempts.circuit_breaker_until,
        attempts.updated_at,
        {{ props_contracts.hours_between('attempts.tripped_at', 'attempts.circuit_breaker_until') }} as lockout_hours,
        {{ props_contracts.processor_setting('entity_lockout_hours') }} as max_lockout_hours,
        {{ props_contracts.processor_setting('entity_failure_threshold') }} as failure_threshold
    from attempts
    left join settings on attempts.processor_name = settings.processor_name
),

final as (
    select
        *,
        case
            when circuit_breaker_tripped and coalesce(attempt_count, 0) < failure_threshold
                then 'tripped_before_threshold'
            when not coalesce(circuit_breaker_tripped, false) and attempt_count >= failure_threshold
                then 'not_tripped_at_threshold'
        end as breaker_violation
    from limits
)

select * from final
