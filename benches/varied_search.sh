# Sourced by the load scripts: `varied_search_lua FILE SEED` writes a wrk script whose every
# request is a different public search, drawn from the fixtures' prefecture postcodes × the
# incident types providers handle × 3 audiences × pages 1–3 (seeded, so two runs draw the same
# sequence), and sets VARIED_QUERIES to how many searches it draws from. Needs ROOT and die.
varied_search_lua() {
    local out=$1 seed=$2 postcodes incidents
    postcodes=$(grep -o '"prefecture_postcode": *"[0-9AB]*"' "$ROOT/fixtures/departements.json" \
        | grep -o '[0-9AB]\{5\}' | sed 's/.*/"&"/' | paste -sd, -)
    incidents=$(awk '/"code":/ { code = $2 } /"provider_can_help": *true/ { print code }' \
        "$ROOT/fixtures/incident_types.json" | tr -d '",' | sed 's/.*/"&"/' | paste -sd, -)
    [ -n "$postcodes" ] && [ -n "$incidents" ] || die "could not read the fixtures' postcodes and incidents"
    cat >"$out" <<LUA
local postcodes = {$postcodes}
local incidents = {$incidents}
local audiences = {"particulier", "entreprise", "collectivite"}
math.randomseed($seed)
request = function()
  local path = string.format("/api/v1/providers?postcode=%s&incident=%s&audience=%s&page=%d",
    postcodes[math.random(#postcodes)], incidents[math.random(#incidents)],
    audiences[math.random(#audiences)], math.random(3))
  return wrk.format("GET", path)
end
LUA
    VARIED_QUERIES=$(awk -v p="$(tr ',' '\n' <<<"$postcodes" | wc -l)" -v i="$(tr ',' '\n' <<<"$incidents" | wc -l)" \
        'BEGIN { print p * i * 3 * 3 }')
}
