// Package listsql compiles the directory's list queries (directory.ListQuery:
// $filter and $search trees from internal/odata, orders, keyset cursors and
// counts) into SQL statements with parameters. The SQLite and PostgreSQL
// engines share it and differ only through a Dialect: placeholders,
// boolean literals, IN lists, string suffixes, the elements of a stored
// list, the bound of a prefix range, and how an order is kept off its
// index. It writes SQL only from fixed fragments chosen by node type,
// operator and the column tables; every client value is a parameter.
package listsql
