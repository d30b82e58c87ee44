# Input filter for Doxygen: turns the plain // comments of maparray's headers into
# documentation comments, so the headers keep one comment style and still document the API.
#   - `// @{` and `// @}` open and close a member group, whose first comment documents it all;
#   - the comment block at the top of a file describes the file;
#   - a comment on a line of its own documents the declaration after it;
#   - a comment after a member or enumerator (after ; or ,) documents that member.
s|^([[:space:]]*)// @([{}])$|\1//@\2|
t
1 {
  s|^// ?(.*)$|/// @file\n/// \1|
  t
}
s|^([[:space:]]*)// ?(.*)$|\1/// \2|
s|^([^/"]*[;,])([[:space:]]+)// ?(.*)$|\1\2///< \3|
