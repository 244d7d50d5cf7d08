package config

// UnknownOperator names the command line's operator when neither SUDO_USER
// nor USER is set (a container without a login, cron).
const UnknownOperator = "inconnu"

// Operator is who runs a command-line action, for the audit trail: the
// person behind sudo ($SUDO_USER) rather than root, else $USER.
func Operator(getenv func(string) string) string {
	for _, v := range []string{"SUDO_USER", "USER"} {
		if op := getenv(v); op != "" {
			return op
		}
	}
	return UnknownOperator
}
