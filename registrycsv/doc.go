// Package registrycsv reads and writes the registry as CSV files, one kind
// of record per file (operators, providers, accounts, contracts,
// advertisers, senders, channels, campaigns): the format of
// `bawwab registry import|export` and of the web console's registry page.
//
// Every file starts with a header naming its columns, in any order;
// optional columns may be left out. An import is all or nothing and lists
// up to ten errors with their line and column. Account passwords are read
// in clear and stored hashed (argon2id); export writes the hashes.
package registrycsv
